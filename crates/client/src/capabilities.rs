//! What the signed-in principal may do here, from `GET /me`, and what the API supports: an
//! m3ter-only API has no `/me`, no resend, revoke or edit of invitations, no seats and no
//! incremental sync. The app hides or disables each action with the reason this gives.

use invitedesk_model::{Me, Permission};
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
    ViewSeats,
}

impl Action {
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
        Action::ViewSeats,
    ];

    fn permission(self) -> Permission {
        match self {
            Action::Invite => Permission::CreateInvitation,
            Action::Resend => Permission::ResendInvitation,
            Action::EditInvitation | Action::Revoke => Permission::UpdateInvitation,
            Action::DeleteInvitation => Permission::DeleteInvitation,
            Action::EditUser | Action::Inactivate | Action::Reactivate => Permission::UpdateUser,
            Action::DeleteUser => Permission::DeleteUser,
            Action::ViewSeats => Permission::RetrieveCatalog,
        }
    }

    /// Only the extended API has it.
    fn is_extension(self) -> bool {
        matches!(
            self,
            Action::Resend | Action::EditInvitation | Action::Revoke | Action::ViewSeats
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
        let permission = action.permission();
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
