//! Dates as the administrator picks them: a calendar day (`YYYY-MM-DD`) on their own clock.
//! The form sends the day and the computer's offset from UTC, so the day chosen is the day
//! stored and shown again, never one off because the time zone moved it across midnight.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use invitedesk_model::{FieldError, Rule};

/// The UTC offset a form may name: the Earth's zones run from UTC−12 to UTC+14.
const OFFSET_MAX_MINUTES: i32 = 14 * 60;

fn offset(minutes: i32) -> Duration {
    Duration::minutes(i64::from(
        minutes.clamp(-OFFSET_MAX_MINUTES, OFFSET_MAX_MINUTES),
    ))
}

/// `text` as a day, None when empty; a clear error naming `field` when it is no date.
pub fn parse(field: &str, text: &str) -> Result<Option<NaiveDate>, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| {
            FieldError::new(
                field,
                Rule::InvalidDate,
                format!("{field} must be a date as YYYY-MM-DD"),
            )
        })
}

/// The last second of `day` on the clock `offset_minutes` from UTC: access lasts through the
/// day chosen.
pub fn end_of(day: NaiveDate, offset_minutes: i32) -> DateTime<Utc> {
    let local_end = day.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default());
    local_end.and_utc() - offset(offset_minutes)
}

/// `day` at the present time of day on that clock: "30 days from today" is then exactly the
/// 30 days the rules count.
pub fn same_time_on(day: NaiveDate, now: DateTime<Utc>, offset_minutes: i32) -> DateTime<Utc> {
    let local_now = now + offset(offset_minutes);
    day.and_time(local_now.time()).and_utc() - offset(offset_minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        parse("d", text).unwrap().unwrap()
    }

    #[test]
    fn the_end_of_a_day_is_that_day_on_the_administrators_clock() {
        // Tokyo (UTC+9): 31 December ends at 14:59:59 UTC that day.
        let end = end_of(day("2026-12-31"), 9 * 60);
        assert_eq!(end.to_rfc3339(), "2026-12-31T14:59:59+00:00");
        // Los Angeles (UTC−8): it ends at 07:59:59 UTC the next day, still the 31st there.
        let end = end_of(day("2026-12-31"), -8 * 60);
        assert_eq!(end.to_rfc3339(), "2027-01-01T07:59:59+00:00");
        assert_eq!((end - Duration::hours(8)).date_naive(), day("2026-12-31"));
    }

    #[test]
    fn a_day_keeps_the_present_time_of_day_and_bad_dates_name_the_field() {
        let now: DateTime<Utc> = "2026-12-01T23:30:00Z".parse().unwrap();
        // In Tokyo it is already 08:30 on 2 December.
        let at = same_time_on(day("2026-12-31"), now, 9 * 60);
        assert_eq!(at.to_rfc3339(), "2026-12-30T23:30:00+00:00");
        let error = parse("dtEndAccess", "31/12/2026").unwrap_err();
        assert_eq!(
            (error.field.as_str(), error.rule),
            ("dtEndAccess", Rule::InvalidDate)
        );
        assert_eq!(parse("dtEndAccess", "  ").unwrap(), None);
        // An offset no zone has is clamped, not trusted.
        assert_eq!(
            end_of(day("2026-12-31"), 100_000),
            end_of(day("2026-12-31"), 14 * 60)
        );
    }
}
