//! Permission policies (m3ter's statement shape) and how a principal's statements decide a
//! permission: a matching deny wins over any allow; nothing matching means no.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use wildmatch::WildMatch;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum Effect {
    #[serde(rename = "ALLOW", alias = "allow", alias = "Allow")]
    Allow,
    #[serde(rename = "DENY", alias = "deny", alias = "Deny")]
    Deny,
}

/// `{effect, action[], resource[]}`; actions and resources may use `*` wildcards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PermissionStatement {
    pub effect: Effect,
    pub action: Vec<String>,
    pub resource: Vec<String>,
}

impl PermissionStatement {
    fn matches(&self, action: &str, resource: &str) -> bool {
        self.action
            .iter()
            .any(|a| WildMatch::new(a).matches(action))
            && self
                .resource
                .iter()
                .any(|r| WildMatch::new(r).matches(resource))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PermissionPolicy {
    pub id: Uuid,
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
    /// Managed policies (Administrator, Helpdesk, Read only) come with every organisation.
    #[serde(default)]
    pub managed: Option<bool>,
    #[serde(default)]
    pub permission_policy: Vec<PermissionStatement>,
}

/// Everything the API checks. Each maps to one `(action, resource)` pair; the wire name is
/// what `GET /me` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Permission {
    CreateInvitation,
    RetrieveInvitation,
    UpdateInvitation,
    ResendInvitation,
    DeleteInvitation,
    RetrieveUser,
    UpdateUser,
    DeleteUser,
    RetrievePermissionPolicy,
    RetrieveCatalog,
    /// The organisation's own settings (whether members need a second factor).
    UpdateOrganization,
    /// Who did what: the audit trail. Administrators only among the managed policies.
    RetrieveAuditLog,
}

impl Permission {
    pub const ALL: [Permission; 12] = [
        Self::CreateInvitation,
        Self::RetrieveInvitation,
        Self::UpdateInvitation,
        Self::ResendInvitation,
        Self::DeleteInvitation,
        Self::RetrieveUser,
        Self::UpdateUser,
        Self::DeleteUser,
        Self::RetrievePermissionPolicy,
        Self::RetrieveCatalog,
        Self::UpdateOrganization,
        Self::RetrieveAuditLog,
    ];

    pub fn action(self) -> &'static str {
        match self {
            Self::CreateInvitation => "config:create",
            Self::RetrieveInvitation
            | Self::RetrieveUser
            | Self::RetrievePermissionPolicy
            | Self::RetrieveCatalog
            | Self::RetrieveAuditLog => "config:retrieve",
            Self::UpdateInvitation
            | Self::ResendInvitation
            | Self::UpdateUser
            | Self::UpdateOrganization => "config:update",
            Self::DeleteInvitation | Self::DeleteUser => "config:delete",
        }
    }

    /// Resend has a resource of its own so that a policy can grant it without granting edits
    /// (the Helpdesk policy does exactly that).
    pub fn resource(self) -> &'static str {
        match self {
            Self::ResendInvitation => "config:orgUserInvitation/resend",
            Self::CreateInvitation
            | Self::RetrieveInvitation
            | Self::UpdateInvitation
            | Self::DeleteInvitation => "config:orgUserInvitation/*",
            Self::RetrieveUser | Self::UpdateUser | Self::DeleteUser => "config:orgUser/*",
            Self::RetrievePermissionPolicy => "config:permissionPolicy/*",
            Self::RetrieveCatalog => "config:business/*",
            Self::UpdateOrganization => "config:organization",
            Self::RetrieveAuditLog => "config:auditLog",
        }
    }

    /// How a 403 names what is missing.
    pub fn describe(self) -> String {
        format!("{} on {}", self.action(), self.resource())
    }

    pub fn is_granted_by(self, statements: &[PermissionStatement]) -> bool {
        let (action, resource) = (self.action(), self.resource());
        let matching = statements.iter().filter(|s| s.matches(action, resource));
        let mut allowed = false;
        for statement in matching {
            match statement.effect {
                Effect::Deny => return false,
                Effect::Allow => allowed = true,
            }
        }
        allowed
    }
}

/// The three policies every organisation is given.
pub mod managed {
    use super::{Effect, PermissionStatement};

    pub const ADMINISTRATOR: &str = "Administrator";
    pub const HELPDESK: &str = "Helpdesk";
    pub const READ_ONLY: &str = "Read only";

    fn allow(actions: &[&str], resources: &[&str]) -> PermissionStatement {
        PermissionStatement {
            effect: Effect::Allow,
            action: actions.iter().map(|a| a.to_string()).collect(),
            resource: resources.iter().map(|r| r.to_string()).collect(),
        }
    }

    pub fn administrator() -> Vec<PermissionStatement> {
        vec![allow(
            &[
                "config:create",
                "config:retrieve",
                "config:update",
                "config:delete",
            ],
            &["config:*"],
        )]
    }

    /// What the non-administrator policies may read: everything but the audit trail, which
    /// says who did what and from where.
    pub const READABLE: [&str; 5] = [
        "config:orgUserInvitation/*",
        "config:orgUser/*",
        "config:permissionPolicy/*",
        "config:business/*",
        "config:organization",
    ];

    pub fn helpdesk() -> Vec<PermissionStatement> {
        vec![
            allow(&["config:retrieve"], &READABLE),
            allow(&["config:update"], &["config:orgUserInvitation/resend"]),
        ]
    }

    pub fn read_only() -> Vec<PermissionStatement> {
        vec![allow(&["config:retrieve"], &READABLE)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn granted(statements: &[PermissionStatement]) -> Vec<Permission> {
        Permission::ALL
            .into_iter()
            .filter(|p| p.is_granted_by(statements))
            .collect()
    }

    #[test]
    fn administrator_may_do_everything() {
        assert_eq!(granted(&managed::administrator()), Permission::ALL.to_vec());
    }

    #[test]
    fn helpdesk_may_read_and_resend_but_not_edit_or_create() {
        let helpdesk = managed::helpdesk();
        assert!(Permission::ResendInvitation.is_granted_by(&helpdesk));
        assert!(Permission::RetrieveInvitation.is_granted_by(&helpdesk));
        assert!(!Permission::UpdateInvitation.is_granted_by(&helpdesk));
        assert!(!Permission::CreateInvitation.is_granted_by(&helpdesk));
        assert!(!Permission::DeleteUser.is_granted_by(&helpdesk));
    }

    #[test]
    fn read_only_may_only_retrieve() {
        let all = granted(&managed::read_only());
        assert!(
            all.iter().all(|p| p.action() == "config:retrieve"),
            "{all:?}"
        );
        assert_eq!(all.len(), 4);
    }

    #[test]
    fn only_administrators_read_the_audit_log() {
        assert!(Permission::RetrieveAuditLog.is_granted_by(&managed::administrator()));
        assert!(!Permission::RetrieveAuditLog.is_granted_by(&managed::read_only()));
        assert!(!Permission::RetrieveAuditLog.is_granted_by(&managed::helpdesk()));
    }

    #[test]
    fn a_matching_deny_wins_over_allow() {
        let mut statements = managed::administrator();
        statements.push(PermissionStatement {
            effect: Effect::Deny,
            action: vec!["config:create".into()],
            resource: vec!["config:orgUserInvitation/*".into()],
        });
        assert!(!Permission::CreateInvitation.is_granted_by(&statements));
        assert!(Permission::UpdateInvitation.is_granted_by(&statements));
    }

    #[test]
    fn effects_read_in_either_case() {
        let s: PermissionStatement =
            serde_json::from_str(r#"{"effect":"allow","action":["config:*"],"resource":["*"]}"#)
                .unwrap();
        assert_eq!(s.effect, Effect::Allow);
        assert_eq!(serde_json::to_value(s.effect).unwrap(), "ALLOW");
    }
}
