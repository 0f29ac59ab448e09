//! What the signed-in principal may do here, from `GET /me`, and what the API supports: an
//! m3ter-only API has no `/me`, no resend, revoke or edit of invitations, no seats and no
//! incremental sync. The app hides or disables each action with the reason this gives, and
//! [`offers`] says which actions a row in each status shows.

use invitedesk_model::{InvitationStatus, Me, Permission, UserStatus};
use serde::{Deserialize, Serialize};

/// Everything a user of the console can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    Invite,
    Resend,
    EditInvitation,
    Revoke,
    DeleteInvitation,
    EditUser,
    Inactivate,
    Reactivate,
    DeleteUser,
    /// The Activity tab: the organisation's audit trail.
    ViewActivity,
    /// An accepted invitation's member, in the users table: reading only, no permission.
    OpenUser,
}

impl Action {
    /// The actions a principal's permissions decide (`OpenUser` needs none).
    pub const ALL: [Action; 10] = [
        Action::Invite,
        Action::Resend,
        Action::EditInvitation,
        Action::Revoke,
        Action::DeleteInvitation,
        Action::EditUser,
        Action::Inactivate,
        Action::Reactivate,
        Action::DeleteUser,
        Action::ViewActivity,
    ];

    fn permission(self) -> Option<Permission> {
        Some(match self {
            Action::Invite => Permission::CreateInvitation,
            Action::Resend => Permission::ResendInvitation,
            Action::EditInvitation | Action::Revoke => Permission::UpdateInvitation,
            Action::DeleteInvitation => Permission::DeleteInvitation,
            Action::EditUser | Action::Inactivate | Action::Reactivate => Permission::UpdateUser,
            Action::DeleteUser => Permission::DeleteUser,
            Action::ViewActivity => Permission::RetrieveAuditLog,
            Action::OpenUser => return None,
        })
    }

    /// It cannot be undone, so the UI asks first.
    pub fn is_destructive(self) -> bool {
        matches!(
            self,
            Action::Revoke | Action::DeleteInvitation | Action::Inactivate | Action::DeleteUser
        )
    }

    /// Only the extended API has it.
    fn is_extension(self) -> bool {
        matches!(
            self,
            Action::Resend | Action::EditInvitation | Action::Revoke | Action::ViewActivity
        )
    }
}

/// Whether an action can be offered, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "allowed", rename_all = "camelCase")]
pub enum Allowed {
    Yes,
    /// The principal lacks this permission (`config:update on config:orgUserInvitation/*`).
    Denied {
        permission: String,
    },
    /// The API does not offer it (m3ter's own API).
    Unsupported,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    /// None against an m3ter-only API, which has no `/me`.
    pub me: Option<Me>,
}

impl Capabilities {
    pub fn extended(me: Me) -> Self {
        Self { me: Some(me) }
    }

    pub fn m3ter_only() -> Self {
        Self { me: None }
    }

    pub fn is_extended(&self) -> bool {
        self.me.is_some()
    }

    /// m3ter's API does not say what a principal may do: everything it supports is offered,
    /// and the server's 403 names a missing permission.
    pub fn check(&self, action: Action) -> Allowed {
        let Some(me) = &self.me else {
            return match action.is_extension() {
                true => Allowed::Unsupported,
                false => Allowed::Yes,
            };
        };
        let Some(permission) = action.permission() else {
            return Allowed::Yes;
        };
        match me.permissions.contains(&permission) {
            true => Allowed::Yes,
            false => Allowed::Denied {
                permission: permission.describe(),
            },
        }
    }

    /// Every action with its answer, for the UI.
    pub fn all(&self) -> Vec<(Action, Allowed)> {
        Action::ALL.iter().map(|a| (*a, self.check(*a))).collect()
    }
}

/// What the actions are offered on: a row of either table, or the invitations toolbar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Subject {
    Invitation(InvitationStatus),
    User(UserStatus),
    /// Invite, and the bulk resend and revoke of ticked rows.
    Toolbar,
}

impl Subject {
    /// The actions shown, in order: what the status allows (the model's rules).
    pub fn actions(self) -> Vec<Action> {
        match self {
            Subject::Invitation(status) => [
                (status.can_resend(), Action::Resend),
                (status.can_edit(), Action::EditInvitation),
                (status.can_revoke(), Action::Revoke),
                (status.can_delete(), Action::DeleteInvitation),
                (status == InvitationStatus::Accepted, Action::OpenUser),
            ]
            .into_iter()
            .filter_map(|(allowed, action)| allowed.then_some(action))
            .collect(),
            Subject::User(status) => [
                (true, Action::EditUser),
                (status.can_inactivate(), Action::Inactivate),
                (status.can_reactivate(), Action::Reactivate),
                (true, Action::DeleteUser),
            ]
            .into_iter()
            .filter_map(|(allowed, action)| allowed.then_some(action))
            .collect(),
            // Invite (and import), and what the selection bars offer in bulk.
            Subject::Toolbar => vec![
                Action::Invite,
                Action::Resend,
                Action::Revoke,
                Action::DeleteInvitation,
                Action::Inactivate,
                Action::Reactivate,
                Action::DeleteUser,
            ],
        }
    }
}

/// One action as a button: whether it works now, and if not, why. `hidden` when the principal
/// may not (a button they can never use is noise); disabled with the reason otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    pub action: Action,
    pub enabled: bool,
    pub hidden: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub destructive: bool,
}

/// The buttons for `subject`. `capabilities` is None until the principal is known (the server
/// then judges); every change needs the server, so offline disables all but `OpenUser`.
pub fn offers(subject: Subject, capabilities: Option<&Capabilities>, online: bool) -> Vec<Offer> {
    subject
        .actions()
        .into_iter()
        .map(|action| offer(action, capabilities, online))
        .collect()
}

fn offer(action: Action, capabilities: Option<&Capabilities>, online: bool) -> Offer {
    let allowed = capabilities.map_or(Allowed::Yes, |c| c.check(action));
    let (enabled, hidden, reason) = match allowed {
        Allowed::Denied { permission } => (
            false,
            true,
            Some(format!("You lack the permission {permission}")),
        ),
        Allowed::Unsupported => (false, false, Some("This API does not support it".into())),
        Allowed::Yes if !online && action.permission().is_some() => (
            false,
            false,
            Some("Offline: changes need the server".into()),
        ),
        Allowed::Yes => (true, false, None),
    };
    Offer {
        action,
        enabled,
        hidden,
        reason,
        destructive: action.is_destructive(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn me(permissions: Vec<Permission>) -> Capabilities {
        Capabilities::extended(Me {
            principal_id: Uuid::nil(),
            name: "Helpdesk".into(),
            organization_id: Uuid::nil(),
            organization_name: "Acme".into(),
            permission_policy_ids: Vec::new(),
            permissions,
        })
    }

    fn actions(offers: &[Offer]) -> Vec<Action> {
        offers.iter().map(|o| o.action).collect()
    }

    #[test]
    fn each_status_offers_what_the_model_allows() {
        let everything = me(Permission::ALL.to_vec());
        let of = |s| actions(&offers(Subject::Invitation(s), Some(&everything), true));
        use Action::*;
        assert_eq!(
            of(InvitationStatus::Pending),
            [Resend, EditInvitation, Revoke, DeleteInvitation]
        );
        assert_eq!(
            of(InvitationStatus::Expired),
            [Resend, EditInvitation, DeleteInvitation]
        );
        assert_eq!(of(InvitationStatus::Declined), [DeleteInvitation]);
        assert_eq!(of(InvitationStatus::Revoked), [DeleteInvitation]);
        assert_eq!(of(InvitationStatus::Accepted), [OpenUser]);
        let user = |s| actions(&offers(Subject::User(s), Some(&everything), true));
        assert_eq!(user(UserStatus::Active), [EditUser, Inactivate, DeleteUser]);
        assert_eq!(
            user(UserStatus::Inactive),
            [EditUser, Reactivate, DeleteUser]
        );
    }

    #[test]
    fn a_missing_permission_hides_offline_disables_and_m3ter_lacks() {
        let reader = me(vec![Permission::RetrieveInvitation]);
        let pending = Subject::Invitation(InvitationStatus::Pending);
        let resend = &offers(pending, Some(&reader), true)[0];
        assert!(resend.hidden && !resend.enabled);
        assert!(
            resend.reason.as_deref().unwrap().contains("config:"),
            "{resend:?}"
        );

        let offline = &offers(pending, None, false)[0];
        assert!(!offline.enabled && !offline.hidden);
        assert_eq!(
            offline.reason.as_deref(),
            Some("Offline: changes need the server")
        );
        let open = &offers(Subject::Invitation(InvitationStatus::Accepted), None, false)[0];
        assert!(open.enabled, "reading the member needs no server");

        let m3ter = Capabilities::m3ter_only();
        let revoke = offers(pending, Some(&m3ter), true)
            .into_iter()
            .find(|o| o.action == Action::Revoke)
            .unwrap();
        assert_eq!(
            revoke.reason.as_deref(),
            Some("This API does not support it")
        );
        assert!(revoke.destructive && !revoke.enabled && !revoke.hidden);
    }
}
