//! One-time codes that prove a new invitee holds the mobile number they give: made, stored
//! (only as a hash), checked, and limited. The limits protect people and the SMS bill, so they
//! are counted in the database, exact however many processes serve the pages:
//! per invitation at most 3 numbers and 5 codes an hour, per number 5 codes a day across every
//! invitation, per organisation a budget an hour (`--org-sms-per-hour`).

use crate::db::Conn;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::micros;
use crate::error::Result;

/// A code lives 10 minutes and allows 5 attempts.
pub const CODE_LIFETIME_MINUTES: i64 = 10;
pub const CODE_ATTEMPTS: i64 = 5;
pub const NUMBERS_PER_INVITATION: i64 = 3;
pub const CODES_PER_INVITATION_PER_HOUR: i64 = 5;
pub const CODES_PER_NUMBER_PER_DAY: i64 = 5;

/// How long a code lives, in the words the page and the message use.
pub fn lifetime_text() -> String {
    format!("{CODE_LIFETIME_MINUTES} minutes")
}

/// Why no code is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefused {
    /// This invitation has had codes sent to three other numbers.
    TooManyNumbers,
    /// Five codes for this invitation in the last hour.
    TooManyForInvitation,
    /// Five codes to this number in the last day.
    TooManyForNumber,
    /// The organisation's hourly budget is spent.
    OrganisationBudget,
}

impl CodeRefused {
    /// What the invitee is told.
    pub fn explain(self) -> String {
        match self {
            CodeRefused::TooManyNumbers => format!(
                "codes for this invitation have gone to {NUMBERS_PER_INVITATION} numbers already: use one of those"
            ),
            CodeRefused::TooManyForInvitation => format!(
                "{CODES_PER_INVITATION_PER_HOUR} codes have been sent for this invitation in the last hour: try again later"
            ),
            CodeRefused::TooManyForNumber => format!(
                "{CODES_PER_NUMBER_PER_DAY} codes have been sent to this number today: try again tomorrow"
            ),
            CodeRefused::OrganisationBudget => {
                "too many codes are being sent right now: try again later".into()
            }
        }
    }
}

/// A number as the limits count it: its digits, with the leading + if given, so that
/// `+44 7700 900123` and `+447700900123` are one number.
pub fn number_key(mobile: &str) -> String {
    let digits: String = mobile.chars().filter(char::is_ascii_digit).collect();
    match mobile.trim_start().starts_with('+') {
        true => format!("+{digits}"),
        false => digits,
    }
}

fn code_hash(invitation_id: Uuid, code: &str) -> Vec<u8> {
    Sha256::digest(format!("{invitation_id}:{code}").as_bytes()).to_vec()
}

fn count(conn: &Conn, sql: &str, params: impl crate::db::Params) -> Result<i64> {
    conn.prepare_cached(sql)?.query_row(params, |r| r.get(0))
}

/// A new code for the invitation, sent to `mobile`, replacing any earlier one; or why not.
/// The send is counted whether or not the gateway then delivers it.
pub fn issue(
    conn: &Conn,
    org_id: Uuid,
    invitation_id: Uuid,
    mobile: &str,
    org_budget_per_hour: u32,
    now: DateTime<Utc>,
) -> Result<std::result::Result<String, CodeRefused>> {
    let (number, invitation) = (number_key(mobile), invitation_id.to_string());
    // Counted and written one instance at a time: the invitation's, the number's and the
    // organisation's sends.
    crate::store::invitations::lock(conn, invitation_id)?;
    conn.lock(&format!("code_sends number {number}"))?;
    conn.lock(&format!("code_sends org {org_id}"))?;
    let (hour_ago, day_ago) = (
        micros(now - Duration::hours(1)),
        micros(now - Duration::days(1)),
    );
    let known_number: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM code_sends WHERE invitation_id = ? AND mobile = ? LIMIT 1")?
        .query_opt((&invitation, &number), |r| r.get(0))?;
    let numbers = count(
        conn,
        "SELECT count(DISTINCT mobile) FROM code_sends WHERE invitation_id = ?",
        [&invitation],
    )?;
    if known_number.is_none() && numbers >= NUMBERS_PER_INVITATION {
        return Ok(Err(CodeRefused::TooManyNumbers));
    }
    let this_hour = count(
        conn,
        "SELECT count(*) FROM code_sends WHERE invitation_id = ? AND dt_sent > ?",
        (&invitation, hour_ago),
    )?;
    if this_hour >= CODES_PER_INVITATION_PER_HOUR {
        return Ok(Err(CodeRefused::TooManyForInvitation));
    }
    let today = count(
        conn,
        "SELECT count(*) FROM code_sends WHERE mobile = ? AND dt_sent > ?",
        (&number, day_ago),
    )?;
    if today >= CODES_PER_NUMBER_PER_DAY {
        return Ok(Err(CodeRefused::TooManyForNumber));
    }
    let organisation = count(
        conn,
        "SELECT count(*) FROM code_sends WHERE org_id = ? AND dt_sent > ?",
        (org_id.to_string(), hour_ago),
    )?;
    if organisation >= i64::from(org_budget_per_hour) {
        return Ok(Err(CodeRefused::OrganisationBudget));
    }
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
    conn.prepare_cached(
        "INSERT INTO code_sends (org_id, invitation_id, mobile, dt_sent) VALUES (?, ?, ?, ?)",
    )?
    .execute((org_id.to_string(), &invitation, &number, micros(now)))?;
    conn.prepare_cached(
        "INSERT INTO one_time_codes (invitation_id, mobile, code_hash, attempts, dt_expires)
         VALUES (?, ?, ?, 0, ?)
         ON CONFLICT (invitation_id) DO UPDATE SET mobile = excluded.mobile,
             code_hash = excluded.code_hash, attempts = 0, dt_expires = excluded.dt_expires",
    )?
    .execute((
        &invitation,
        &number,
        code_hash(invitation_id, &code),
        micros(now + Duration::minutes(CODE_LIFETIME_MINUTES)),
    ))?;
    Ok(Ok(code))
}

/// What checking a code found.
#[derive(Debug, PartialEq, Eq)]
pub enum CodeCheck {
    Right,
    /// Wrong; this many tries of this code are left.
    Wrong {
        attempts_left: i64,
    },
    /// Expired, used up, or sent to another number: a new one is needed.
    NewCodeNeeded,
}

/// Checks `code` for the invitation and number; a wrong one is counted against the code.
pub fn check(
    conn: &Conn,
    invitation_id: Uuid,
    mobile: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<CodeCheck> {
    let stored: Option<(String, Vec<u8>, i64, i64)> = conn
        .prepare_cached("SELECT mobile, code_hash, attempts, dt_expires FROM one_time_codes WHERE invitation_id = ?")?
        .query_opt([invitation_id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    let Some((sent_to, hash, attempts, expires)) = stored else {
        return Ok(CodeCheck::NewCodeNeeded);
    };
    if sent_to != number_key(mobile) || attempts >= CODE_ATTEMPTS || expires <= micros(now) {
        return Ok(CodeCheck::NewCodeNeeded);
    }
    if hash != code_hash(invitation_id, code.trim()) {
        conn.prepare_cached(
            "UPDATE one_time_codes SET attempts = attempts + 1 WHERE invitation_id = ?",
        )?
        .execute([invitation_id.to_string()])?;
        return Ok(CodeCheck::Wrong {
            attempts_left: CODE_ATTEMPTS - attempts - 1,
        });
    }
    Ok(CodeCheck::Right)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_number_in_any_spelling_is_one_key() {
        assert_eq!(number_key("+44 7700 900123"), number_key("+447700900123"));
        assert_eq!(number_key("+44 (7700) 900-123"), "+447700900123");
        assert_ne!(number_key("447700900123"), number_key("+447700900123"));
    }
}
