//! Wire types and validation rules of the InviteDesk Access API, shared by the client and the
//! server so that every rule is written once. No I/O lives here.

pub mod account_invitation;
pub mod audit;
pub mod batch;
pub mod catalog;
pub mod error;
pub mod invitation;
pub mod page;
pub mod permission;
pub mod pkce;
pub mod principal;
pub mod search;
pub mod token;
pub mod user;
pub mod validate;

pub use account_invitation::{AccountInvitation, AccountInvitationOutcome};
pub use audit::{AuditAction, AuditEvent, FieldChange};
pub use batch::{BatchAnswer, BatchItem, BatchResult, InvitationBatch, BATCH_MAX_ITEMS};
pub use catalog::{App, Business, Role, Seats, Subscription};
pub use error::ErrorBody;
pub use invitation::{
    DeliveryStatus, Invitation, InvitationStatus, InvitationUpdate, NewInvitation,
};
pub use page::Page;
pub use permission::{Effect, Permission, PermissionPolicy, PermissionStatement};
pub use principal::{Me, MeOrganization, MeServiceUser, ServiceUser, UsersMe};
pub use token::TokenResponse;
pub use user::{User, UserStatus, UserUpdate};
pub use validate::{FieldError, Rule};
