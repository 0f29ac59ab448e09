//! The audit trail in plain words, as a details panel tells a record's story: "Sent by Ada
//! Lovelace on 2026-12-01 10:04", "Edited by the helpdesk on …: First name: Ada → Adah".

use chrono::{Duration, Utc};
use invitedesk_model::{AuditAction, AuditEvent, FieldChange};

/// One event as a sentence, its time on the person's clock (`offset_minutes` from UTC).
pub fn in_words(event: &AuditEvent, offset_minutes: i32) -> String {
    let when = local_time(event.dt_created, offset_minutes);
    let who = &event.actor_name;
    let what = match AuditAction::parse(&event.action) {
        Some(action) => verb(action),
        None => Verb::By(event.action.as_str()),
    };
    let sentence = match what {
        Verb::By(done) => format!("{done} by {who} on {when}"),
        Verb::Alone(done) => format!("{done} on {when}"),
    };
    let changed = changes_in_words(&event.changes);
    match AuditAction::parse(&event.action) {
        Some(AuditAction::InvitationUpdated | AuditAction::UserUpdated) if !changed.is_empty() => {
            format!("{sentence}: {changed}")
        }
        _ => sentence,
    }
}

/// How an action reads: done by someone, or something that happened (the invitee's own
/// answers, a sign-in).
enum Verb<'a> {
    By(&'a str),
    Alone(&'a str),
}

fn verb(action: AuditAction) -> Verb<'static> {
    use AuditAction::*;
    match action {
        InvitationCreated => Verb::By("Sent"),
        InvitationUpdated | UserUpdated => Verb::By("Edited"),
        InvitationResent => Verb::By("Resent"),
        InvitationRevoked => Verb::By("Revoked"),
        InvitationDeleted | UserDeleted => Verb::By("Deleted"),
        InvitationAccepted => Verb::Alone("Accepted"),
        InvitationDeclined => Verb::Alone("Declined"),
        InvitationCodeRequested => Verb::Alone("Sign-up code requested"),
        UserCreated => Verb::Alone("Joined the organisation"),
        UserInactivated => Verb::By("Made inactive"),
        UserReactivated => Verb::By("Reactivated"),
        SignInSucceeded => Verb::Alone("Signed in"),
        SignInFailed => Verb::Alone("A sign-in failed"),
        TokenRevoked => Verb::By("Signed out"),
        OrganizationSecurityUpdated => Verb::By("Security settings changed"),
    }
}

/// `2026-12-01 10:04`, on the clock `offset_minutes` from UTC.
fn local_time(time: chrono::DateTime<Utc>, offset_minutes: i32) -> String {
    let minutes = i64::from(offset_minutes.clamp(-14 * 60, 14 * 60));
    (time + Duration::minutes(minutes))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// "First name: Ada → Adah; Access end: (none) → 2027-01-31T23:59:59Z"
/// The fields a person reads first, in this order; the rest follow as the server sent them.
/// A field that went from no value to an empty one (a new record's `accepted: false`) is left
/// out: nothing was set.
pub fn changes_in_words(changes: &[FieldChange]) -> String {
    let rank = |c: &&FieldChange| {
        READ_FIRST
            .iter()
            .position(|f| *f == c.field)
            .unwrap_or(READ_FIRST.len())
    };
    let mut shown: Vec<&FieldChange> = changes.iter().filter(|c| !sets_nothing(c)).collect();
    shown.sort_by_key(rank);
    shown
        .into_iter()
        .map(|c| {
            format!(
                "{}: {} → {}",
                field_label(&c.field),
                value_text(&c.old),
                value_text(&c.new)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

const READ_FIRST: [&str; 8] = [
    "email",
    "firstName",
    "lastName",
    "status",
    "contactNumber",
    "permissionPolicyIds",
    "dtExpiry",
    "dtEndAccess",
];

fn sets_nothing(change: &FieldChange) -> bool {
    use serde_json::Value;
    let empty = match &change.new {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    change.old.is_null() && empty
}

/// `dtEndAccess` → "Access end", `firstName` → "First name".
fn field_label(field: &str) -> String {
    let known = match field {
        "dtEndAccess" => Some("Access end"),
        "dtExpiry" => Some("Expires"),
        "permissionPolicyIds" => Some("Permission policies"),
        "contactNumber" => Some("Contact number"),
        "email" => Some("E-mail"),
        _ => None,
    };
    if let Some(label) = known {
        return label.to_owned();
    }
    let mut words = String::new();
    for (i, c) in field.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            words.push(' ');
            words.extend(c.to_lowercase());
        } else if i == 0 {
            words.extend(c.to_uppercase());
        } else {
            words.push(c);
        }
    }
    words
}

fn value_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "(none)".into(),
        serde_json::Value::String(text) if text.is_empty() => "(none)".into(),
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Array(items) if items.is_empty() => "(none)".into(),
        serde_json::Value::Array(items) => {
            items.iter().map(value_text).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(action: &str, changes: Vec<FieldChange>) -> AuditEvent {
        AuditEvent {
            id: uuid::Uuid::nil(),
            dt_created: "2026-12-01T10:04:30Z".parse().unwrap(),
            dt_last_modified: None,
            actor_id: None,
            actor_kind: "person".into(),
            actor_name: "Ada Lovelace".into(),
            action: action.into(),
            record_type: "invitation".into(),
            record_id: None,
            record_email: Some("grace@example.com".into()),
            client_address: None,
            user_agent: None,
            changes,
        }
    }

    #[test]
    fn each_action_reads_as_a_sentence_on_the_persons_clock() {
        assert_eq!(
            in_words(&event("invitation.created", vec![]), 0),
            "Sent by Ada Lovelace on 2026-12-01 10:04"
        );
        assert_eq!(
            in_words(&event("invitation.resent", vec![]), 60),
            "Resent by Ada Lovelace on 2026-12-01 11:04"
        );
        assert_eq!(
            in_words(&event("invitation.accepted", vec![]), -600),
            "Accepted on 2026-12-01 00:04"
        );
        assert_eq!(
            in_words(&event("something.new", vec![]), 0),
            "something.new by Ada Lovelace on 2026-12-01 10:04"
        );
    }

    #[test]
    fn an_edit_says_which_fields_changed_from_what_to_what() {
        let changes = vec![
            FieldChange {
                field: "firstName".into(),
                old: json!("Ada"),
                new: json!("Adah"),
            },
            FieldChange {
                field: "dtEndAccess".into(),
                old: json!(null),
                new: json!("2027-01-31T23:59:59Z"),
            },
        ];
        assert_eq!(
            in_words(&event("invitation.updated", changes), 0),
            "Edited by Ada Lovelace on 2026-12-01 10:04: First name: Ada → Adah; \
             Access end: (none) → 2027-01-31T23:59:59Z"
        );
    }

    #[test]
    fn a_new_records_fields_read_person_first_and_leave_out_what_was_not_set() {
        let set = |field: &str, new: serde_json::Value| FieldChange {
            field: field.into(),
            old: json!(null),
            new,
        };
        let created = vec![
            set("accepted", json!(false)),
            set("appId", json!("5f0c")),
            set("email", json!("grace@example.com")),
            set("firstName", json!("Grace")),
            set("permissionPolicyIds", json!([])),
            set("status", json!("Pending")),
        ];
        assert_eq!(
            changes_in_words(&created),
            "E-mail: (none) → grace@example.com; First name: (none) → Grace; \
             Status: (none) → Pending; App id: (none) → 5f0c"
        );
    }
}
