//! Substring search by e-mail or name (`search=`) through each backend's trigram index, so
//! that a search reads the rows that match, not the organisation's every row.
//! - PostgreSQL: a `pg_trgm` GiST index serves the LIKE itself; its planner chooses between
//!   the index and walking the list's order by how many rows match.
//! - SQLite: FTS5 trigram tables (`invitations_search`, `users_search`). When few rows match
//!   (at most `FEW_MATCHES`) the page is read from the index's hits and sorted; when many do,
//!   walking the list's own order fills a page within a few thousand rows, which is faster
//!   than sorting every hit. Either way the same LIKE confirms each row, so both backends and
//!   both plans answer exactly what `like_pattern` matches.

use crate::db::{like_pattern, Conn, Sql};
use crate::error::Result;

/// A trigram index can only look up text of three characters or more; shorter text matches
/// so many rows that walking the list's order fills a page at once.
const INDEXED_FROM_CHARS: usize = 3;

/// Above this many hits, walking the list's order (a page fills within about
/// `rows / hits × page` rows) beats reading and sorting every hit.
const FEW_MATCHES: i64 = 5_000;

/// How a page of `table` is narrowed to rows matching a search.
pub struct SearchPlan {
    /// Rows of the index's hits, joined to the table (SQLite, few hits), if any.
    hits: Option<String>,
    like: String,
}

pub fn plan(conn: &Conn, table: &'static str, search: &str) -> Result<SearchPlan> {
    let term = search.trim().to_lowercase();
    let like = like_pattern(search);
    if conn.is_postgres() || term.chars().count() < INDEXED_FROM_CHARS {
        return Ok(SearchPlan { hits: None, like });
    }
    let phrase = fts_phrase(&term);
    let hits: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM (SELECT rowid FROM {table}_search
              WHERE {table}_search MATCH ? LIMIT {})",
            FEW_MATCHES + 1
        ),
        [&phrase],
        |r| r.get(0),
    )?;
    Ok(SearchPlan {
        hits: (hits <= FEW_MATCHES).then_some(phrase),
        like,
    })
}

impl SearchPlan {
    /// `FROM …` for the page: the table, or the index's hits joined to it (which the planner
    /// is told to read first).
    pub fn push_from(&self, query: &mut Sql, table: &'static str) {
        match &self.hits {
            None => {
                query.push(table);
            }
            Some(phrase) => {
                query
                    .push(&format!(
                        "(SELECT rowid AS hit FROM {table}_search WHERE {table}_search MATCH "
                    ))
                    .bind(phrase.clone())
                    .push(&format!(
                        ") AS hits CROSS JOIN {table} ON {table}.rowid = hits.hit"
                    ));
            }
        }
    }

    /// The condition every row of the page meets.
    pub fn push_filter(&self, query: &mut Sql) {
        query
            .push(" AND search_text LIKE ")
            .bind(self.like.clone())
            .push(" ESCAPE '\\'");
    }
}

/// `text` as one FTS5 phrase: for the trigram tokenizer, every row containing it.
pub fn fts_phrase(text: &str) -> String {
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
