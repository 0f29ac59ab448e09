//! Invitation e-mail: what it says (`compose`), the outbox it waits in until delivered
//! (`outbox`), and the transport that delivers it (`Mailer`: SMTP, or .eml files in a folder).

pub mod compose;
pub mod outbox;
mod transport;

pub use transport::Mailer;
