//! The search rule both sides apply: case-insensitive text found anywhere in the e-mail or the
//! name. The server searches with it for `search=`, the client for its cached tables.

/// What a record is searched by: its e-mail and names, lower-cased, in one text.
pub fn search_text(email: &str, first_name: Option<&str>, last_name: Option<&str>) -> String {
    format!(
        "{email} {} {}",
        first_name.unwrap_or(""),
        last_name.unwrap_or("")
    )
    .to_lowercase()
}

/// `search` as a SQL LIKE pattern (with `ESCAPE '\'`) that matches it anywhere, LIKE's own
/// wildcards escaped so that they match themselves.
pub fn like_pattern(search: &str) -> String {
    let mut pattern = String::from("%");
    for c in search.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_literal_and_case_does_not_matter() {
        assert_eq!(like_pattern(" Ada_100% "), "%ada\\_100\\%%");
        assert_eq!(search_text("a@b.co", Some("Ada"), None), "a@b.co ada ");
    }
}
