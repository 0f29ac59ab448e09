//! Substring search by e-mail or name (`search=`) through each backend's trigram index, so
//! that a search reads the rows that match, not the organisation's every row: PostgreSQL's
//! `pg_trgm` GIN index serves the LIKE itself; SQLite's FTS5 trigram tables
//! (`invitations_search`, `users_search`) give the candidate rows, which the same LIKE then
//! confirms. Both answer exactly what `like_pattern` matches.

use crate::db::{like_pattern, Conn, Sql};

/// A trigram index can only look up text of three characters or more; a shorter search is
/// answered by the LIKE alone, walking the list's own index (such short text matches many
/// rows, so a page fills quickly).
const INDEXED_FROM_CHARS: usize = 3;

/// Adds the condition that the row of `table` matches `search`.
pub fn push_filter(query: &mut Sql, conn: &Conn, table: &'static str, search: &str) {
    let term = search.trim().to_lowercase();
    if !conn.is_postgres() && term.chars().count() >= INDEXED_FROM_CHARS {
        query
            .push(&format!(
                " AND rowid IN (SELECT rowid FROM {table}_search WHERE {table}_search MATCH "
            ))
            .bind(fts_phrase(&term))
            .push(")");
    }
    query
        .push(" AND search_text LIKE ")
        .bind(like_pattern(search))
        .push(" ESCAPE '\\'");
}

/// `text` as one FTS5 phrase: for the trigram tokenizer, every row containing it.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::fts_phrase;

    #[test]
    fn quotes_in_a_search_stay_inside_its_phrase() {
        assert_eq!(fts_phrase("ada"), "\"ada\"");
        assert_eq!(fts_phrase("a\"b OR c"), "\"a\"\"b OR c\"");
    }
}
