//! Inviting many at once from a spreadsheet's CSV: the file read as spreadsheets write it
//! (`csv_file`), its columns matched to the invitation's fields (`columns`), every row checked
//! before anything is sent (`preview`), and the rows sent, each under a key that makes a
//! second run of the same file create nothing twice (`send`).

pub mod columns;
pub mod csv_file;
pub mod preview;
pub mod send;

pub use columns::{guess_mapping, template_csv, Field, Mapping};
pub use csv_file::{read_table, SourceRow, Table, MAX_ROWS};
pub use preview::{preview, KnownPeople, Preview, PreviewRow, Problem, RowCheck, SeatForecast};
pub use send::{
    every_outcome, outcomes_csv, ready_rows, row_key, send_rows, RowOutcome, SentRow, ToSend,
};

/// Why a file cannot be imported at all (a problem of one row is that row's `Problem`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty: it needs a header row and at least one row of people")]
    Empty,
    #[error("the file is larger than {max_mib} MiB")]
    TooLarge { max_mib: usize },
    #[error("the file has more than {max} rows of people; split it into several files")]
    TooManyRows { max: usize },
    #[error("the file is not UTF-8 text (first at line {line}): save it as \"CSV UTF-8\"")]
    NotUtf8 { line: u64 },
    #[error("line {line}: {message}")]
    Malformed { line: u64, message: String },
    #[error("no column is the e-mail address: name one \"E-mail\", or choose it in the mapping")]
    NoEmailColumn,
    #[error("column {index} does not exist in this file")]
    NoSuchColumn { index: usize },
}
