//! The audit trail: one event per change, as `GET /organizations/{orgId}/auditlog` serves it,
//! and the names of the actions and actors, shared by the server that writes them and the
//! desktop that shows them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Who, what, which record, from where and which fields: one change, never edited.
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
}
