//! A CSV as spreadsheets export it: UTF-8 with or without a byte-order mark, comma, semicolon
//! (Excel in much of Europe) or tab between fields, detected from the header row (or Excel's
//! `sep=` first line), quoted fields holding delimiters, quotes and newlines, CRLF or LF.
//! Rows with nothing in them are skipped; cells are text, never evaluated.

use serde::Serialize;

use super::ImportError;

/// The most rows of people one file may hold.
pub const MAX_ROWS: usize = 10_000;
/// A file bigger than this is no list of people: refused before it is parsed.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<SourceRow>,
    /// The delimiter found, as a character.
    pub delimiter: char,
}

/// One row of people: `row` is its number as the spreadsheet shows it (the header is row 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceRow {
    pub row: u64,
    pub cells: Vec<String>,
}

impl SourceRow {
    /// The trimmed cell of column `index`; empty when the row is shorter.
    pub fn cell(&self, index: usize) -> &str {
        self.cells.get(index).map(|c| c.trim()).unwrap_or("")
    }
}

pub fn read_table(bytes: &[u8]) -> Result<Table, ImportError> {
    if bytes.len() > MAX_BYTES {
        return Err(ImportError::TooLarge {
            max_mib: MAX_BYTES / (1024 * 1024),
        });
    }
    let text = utf8_text(bytes)?;
    let (text, declared) = without_sep_line(text);
    let delimiter = declared.unwrap_or_else(|| detect_delimiter(text));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers = loop {
        match records.next() {
            None => return Err(ImportError::Empty),
            Some(record) => {
                let cells = cells_of(record?);
                if !blank(&cells) {
                    break cells.into_iter().map(|h| h.trim().to_owned()).collect();
                }
            }
        }
    };
    let rows = people_rows(records)?;
    if rows.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(Table {
        headers,
        rows,
        delimiter: char::from(delimiter),
    })
}

fn people_rows(
    records: impl Iterator<Item = csv::Result<csv::StringRecord>>,
) -> Result<Vec<SourceRow>, ImportError> {
    let mut rows = Vec::new();
    // The header was row 1; a blank row still takes its number, as in the spreadsheet.
    for (ordinal, record) in records.enumerate() {
        let cells = cells_of(record?);
        if blank(&cells) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(ImportError::TooManyRows { max: MAX_ROWS });
        }
        rows.push(SourceRow {
            row: ordinal as u64 + 2,
            cells,
        });
    }
    Ok(rows)
}

fn cells_of(record: csv::StringRecord) -> Vec<String> {
    record.iter().map(str::to_owned).collect()
}

fn blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

impl From<csv::Error> for ImportError {
    fn from(e: csv::Error) -> Self {
        let line = e.position().map(|p| p.line()).unwrap_or(0);
        ImportError::Malformed {
            line,
            message: e.to_string(),
        }
    }
}

fn utf8_text(bytes: &[u8]) -> Result<&str, ImportError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(ImportError::NotUtf8 { line: 1 });
    }
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let before = &bytes[..e.valid_up_to()];
        ImportError::NotUtf8 {
            line: 1 + memchr::memchr_iter(b'\n', before).count() as u64,
        }
    })
}

/// Excel's `sep=;` first line names the delimiter; it is no header.
fn without_sep_line(text: &str) -> (&str, Option<u8>) {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let first = first.trim_end_matches('\r');
    match first.strip_prefix("sep=").map(str::as_bytes) {
        Some([delimiter]) if b",;\t|".contains(delimiter) => (rest, Some(*delimiter)),
        _ => (text, None),
    }
}

/// The delimiter the header row uses most, outside quotes; a comma when it holds none.
fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for byte in text.bytes() {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                if let Some(count) = counts.iter_mut().find(|(d, _)| *d == byte) {
                    count.1 += 1;
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .max_by_key(|(_, count)| *count)
        .filter(|(_, count)| *count > 0)
        .map(|(delimiter, _)| *delimiter)
        .unwrap_or(b',')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(table: &Table) -> Vec<Vec<&str>> {
        table
            .rows
            .iter()
            .map(|r| r.cells.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn an_excel_file_with_a_bom_semicolons_and_crlf_is_read() {
        let file = b"\xEF\xBB\xBFE-mail;First name;Last name\r\nada@example.com;Ada;Lovelace\r\ngrace@example.com;Grace;\"Hopper; RDML\"\r\n";
        let table = read_table(file).unwrap();
        assert_eq!(table.delimiter, ';');
        assert_eq!(table.headers, ["E-mail", "First name", "Last name"]);
        assert_eq!(
            cells(&table),
            [
                vec!["ada@example.com", "Ada", "Lovelace"],
                vec!["grace@example.com", "Grace", "Hopper; RDML"]
            ]
        );
    }

    #[test]
    fn quotes_hold_newlines_and_quotes_and_rows_keep_the_spreadsheets_numbers() {
        let file =
            "email,note\n\"a@example.com\",\"line one\nline \"\"two\"\"\"\n,\n\nb@example.com,x\n";
        let table = read_table(file.as_bytes()).unwrap();
        assert_eq!(table.rows[0].cells[1], "line one\nline \"two\"");
        assert_eq!(table.rows[0].row, 2);
        // The ",", a blank row (row 3), is skipped; the empty line is no row at all.
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[1].row, 4);
    }

    #[test]
    fn extra_and_missing_cells_and_formulas_stay_plain_text() {
        let file = "email,first\na@example.com,Ada,extra,more\n=HYPERLINK(\"http://x\"),+1\nb@example.com\n";
        let table = read_table(file.as_bytes()).unwrap();
        assert_eq!(table.rows[0].cells.len(), 4);
        assert_eq!(table.rows[1].cell(0), "=HYPERLINK(\"http://x\")");
        assert_eq!(
            table.rows[2].cell(1),
            "",
            "a short row reads empty, not an error"
        );
    }

    #[test]
    fn excels_sep_line_and_tabs_are_understood() {
        let declared = read_table(b"sep=;\nemail;name\na@example.com;Ada, Countess\n").unwrap();
        assert_eq!(declared.headers, ["email", "name"]);
        assert_eq!(declared.rows[0].cell(1), "Ada, Countess");
        let tabs = read_table(b"email\tname\na@example.com\tAda\n").unwrap();
        assert_eq!(tabs.delimiter, '\t');
    }

    #[test]
    fn files_that_cannot_be_a_list_of_people_are_refused_with_the_reason() {
        assert_eq!(read_table(b""), Err(ImportError::Empty));
        assert_eq!(read_table(b"email\n\n,\n"), Err(ImportError::Empty));
        assert_eq!(
            read_table(b"email\na@example.com\n\xE9t\xE9\n"),
            Err(ImportError::NotUtf8 { line: 3 })
        );
        assert_eq!(
            read_table(b"\xFF\xFEe\0m\0"),
            Err(ImportError::NotUtf8 { line: 1 })
        );
        let mut big = String::from("email\n");
        for i in 0..=MAX_ROWS {
            big.push_str(&format!("p{i}@example.com\n"));
        }
        assert_eq!(
            read_table(big.as_bytes()),
            Err(ImportError::TooManyRows { max: MAX_ROWS })
        );
    }
}
