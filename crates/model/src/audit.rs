//! The audit trail: one event per change, as `GET /organizations/{orgId}/auditlog` serves it,
//! and the names of the actions and actors, shared by the server that writes them and the
//! desktop that shows them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Who, what, which record, from where and which fields: one change, never edited but for the
/// erasure of a deleted record's personal data (`erase_personal_data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub id: Uuid,
    /// When the change was made.
    pub dt_created: DateTime<Utc>,
    /// The feed's order (`modifiedSince`): when the event was committed, as for other records.
    pub dt_last_modified: Option<DateTime<Utc>>,
    pub actor_id: Option<Uuid>,
    /// `serviceUser`, `person`, `invitee` or `system`.
    pub actor_kind: String,
    pub actor_name: String,
    /// One of `AuditAction`'s names, such as `invitation.resent`.
    pub action: String,
    /// `invitation`, `user`, `account`, `token` or `organization`.
    pub record_type: String,
    pub record_id: Option<Uuid>,
    pub record_email: Option<String>,
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
    /// The fields the change set, with what they held before.
    #[serde(default)]
    pub changes: Vec<FieldChange>,
}

/// One field of a record, before and after a change (null when it had or has no value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    pub field: String,
    #[schema(value_type = Object)]
    pub old: serde_json::Value,
    #[schema(value_type = Object)]
    pub new: serde_json::Value,
}

/// Everything the audit trail records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    InvitationCreated,
    InvitationUpdated,
    InvitationResent,
    InvitationRevoked,
    InvitationDeleted,
    InvitationAccepted,
    InvitationDeclined,
    InvitationCodeRequested,
    UserCreated,
    UserUpdated,
    UserInactivated,
    UserReactivated,
    UserDeleted,
    SignInSucceeded,
    SignInFailed,
    TokenRevoked,
    OrganizationSecurityUpdated,
}

impl AuditAction {
    pub const ALL: [AuditAction; 17] = [
        Self::InvitationCreated,
        Self::InvitationUpdated,
        Self::InvitationResent,
        Self::InvitationRevoked,
        Self::InvitationDeleted,
        Self::InvitationAccepted,
        Self::InvitationDeclined,
        Self::InvitationCodeRequested,
        Self::UserCreated,
        Self::UserUpdated,
        Self::UserInactivated,
        Self::UserReactivated,
        Self::UserDeleted,
        Self::SignInSucceeded,
        Self::SignInFailed,
        Self::TokenRevoked,
        Self::OrganizationSecurityUpdated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvitationCreated => "invitation.created",
            Self::InvitationUpdated => "invitation.updated",
            Self::InvitationResent => "invitation.resent",
            Self::InvitationRevoked => "invitation.revoked",
            Self::InvitationDeleted => "invitation.deleted",
            Self::InvitationAccepted => "invitation.accepted",
            Self::InvitationDeclined => "invitation.declined",
            Self::InvitationCodeRequested => "invitation.codeRequested",
            Self::UserCreated => "user.created",
            Self::UserUpdated => "user.updated",
            Self::UserInactivated => "user.inactivated",
            Self::UserReactivated => "user.reactivated",
            Self::UserDeleted => "user.deleted",
            Self::SignInSucceeded => "signIn.succeeded",
            Self::SignInFailed => "signIn.failed",
            Self::TokenRevoked => "token.revoked",
            Self::OrganizationSecurityUpdated => "organization.securityUpdated",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// The record type the action is about.
    pub fn record_type(self) -> &'static str {
        match self.as_str().split_once('.') {
            Some(("signIn", _)) => "account",
            Some((kind, _)) => kind,
            None => "",
        }
    }
}

/// The fields of a record that say who a person is: what a deletion erases from the trail.
pub const PERSONAL_FIELDS: [&str; 4] = ["email", "firstName", "lastName", "contactNumber"];

/// What an erased value reads as: the change happened, its value is gone.
pub const ERASED: &str = "(erased)";

/// Erases the personal values among `changes` (a null stays null: there was nothing to erase).
pub fn erase_personal_changes(changes: &mut [FieldChange]) {
    for change in changes
        .iter_mut()
        .filter(|c| PERSONAL_FIELDS.contains(&c.field.as_str()))
    {
        for value in [&mut change.old, &mut change.new] {
            if !value.is_null() {
                *value = serde_json::Value::String(ERASED.into());
            }
        }
    }
}

impl AuditEvent {
    /// Erases what this event holds of the deleted record `deleted`: its e-mail and personal
    /// values when the event is about it, its name when it acted. The server does this to its
    /// trail in the deletion's transaction; a synced copy does it when the record's tombstone
    /// arrives, since events never come down the feed twice. Answers whether anything changed.
    pub fn erase_personal_data(&mut self, deleted: Uuid) -> bool {
        let before = self.clone();
        if self.record_id == Some(deleted) {
            self.record_email = None;
            erase_personal_changes(&mut self.changes);
        }
        if self.actor_id == Some(deleted) {
            self.actor_name = ERASED.into();
        }
        *self != before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_name_and_names_its_record_type() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
            assert!(
                ["invitation", "user", "account", "token", "organization"]
                    .contains(&action.record_type()),
                "{action:?}"
            );
        }
        assert_eq!(AuditAction::parse("invitation.sent"), None);
    }

    fn event(actor: Uuid, record: Uuid) -> AuditEvent {
        AuditEvent {
            id: Uuid::from_u128(9),
            dt_created: DateTime::UNIX_EPOCH,
            dt_last_modified: None,
            actor_id: Some(actor),
            actor_kind: "person".into(),
            actor_name: "Ada Lovelace".into(),
            action: "invitation.updated".into(),
            record_type: "invitation".into(),
            record_id: Some(record),
            record_email: Some("ada@example.com".into()),
            client_address: None,
            user_agent: None,
            changes: vec![
                FieldChange {
                    field: "firstName".into(),
                    old: serde_json::Value::Null,
                    new: "Ada".into(),
                },
                FieldChange {
                    field: "status".into(),
                    old: "Pending".into(),
                    new: "Revoked".into(),
                },
            ],
        }
    }

    #[test]
    fn erasure_removes_the_deleted_records_personal_values_and_name_and_nothing_else() {
        let (actor, record) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let mut about = event(actor, record);
        assert!(about.erase_personal_data(record));
        assert_eq!(about.record_email, None);
        assert_eq!(about.changes[0].old, serde_json::Value::Null);
        assert_eq!(about.changes[0].new, ERASED);
        assert_eq!(about.changes[1].new, "Revoked", "not personal");
        assert_eq!(about.actor_name, "Ada Lovelace", "someone else acted");

        let mut by = event(actor, record);
        assert!(by.erase_personal_data(actor));
        assert_eq!(by.actor_name, ERASED);
        assert_eq!(by.record_email.as_deref(), Some("ada@example.com"));

        let mut other = event(actor, record);
        assert!(!other.erase_personal_data(Uuid::from_u128(3)));
        assert_eq!(other, event(actor, record));
    }
}
