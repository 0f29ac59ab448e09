//! The edit dialogs, as the app collects them, turned into the update to send: the same
//! trimming, calendar days and rules as the invite form, and every invalid field at once.

use chrono::{DateTime, Utc};
use invitedesk_model::{validate, FieldError, InvitationUpdate, UserUpdate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cache::Catalog;
use crate::invite::{access_end, optional, unknown_ids};

/// An invitation's edit: everything the API lets change (not the e-mail: a new address is a
/// new invitation; not the expiry: resend renews it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InvitationEdit {
    /// The version the dialog was opened on: someone else's change in between is a conflict.
    pub version: i64,
    /// Whether the invitee has an account already (names are then optional), from the record.
    pub existing_user: bool,
    pub first_name: String,
    pub last_name: String,
    pub contact_number: String,
    pub permission_policy_ids: Vec<Uuid>,
    /// YYYY-MM-DD on the administrator's calendar; empty for no end.
    pub access_end: String,
    pub business_id: Option<Uuid>,
    pub app_id: Option<Uuid>,
    pub subscription_id: Option<Uuid>,
    pub role_id: Option<Uuid>,
    pub utc_offset_minutes: i32,
}

impl InvitationEdit {
    fn placement(&self) -> validate::Placement {
        validate::Placement {
            business_id: self.business_id,
            app_id: self.app_id,
            subscription_id: self.subscription_id,
            role_id: self.role_id,
        }
    }
}

/// The update to send, or every field that is wrong.
pub fn invitation_update(
    edit: &InvitationEdit,
    catalog: &Catalog,
    now: DateTime<Utc>,
) -> Result<InvitationUpdate, Vec<FieldError>> {
    let mut errors = Vec::new();
    let dt_end_access = access_end(&edit.access_end, edit.utc_offset_minutes).unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    let update = InvitationUpdate {
        version: edit.version,
        first_name: optional(&edit.first_name),
        last_name: optional(&edit.last_name),
        contact_number: optional(&edit.contact_number),
        permission_policy_ids: edit.permission_policy_ids.clone(),
        dt_end_access,
        dt_expiry: None,
        business_id: edit.business_id,
        app_id: edit.app_id,
        subscription_id: edit.subscription_id,
        role_id: edit.role_id,
    };
    if let Err(rules) = validate::invitation_update(&update, edit.existing_user, false, now) {
        errors.extend(rules);
    }
    errors.extend(unknown_ids(
        &edit.permission_policy_ids,
        &edit.placement(),
        catalog,
    ));
    match errors.is_empty() {
        true => Ok(update),
        false => Err(errors),
    }
}

/// A member's edit: their policies and access end.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserEdit {
    pub version: i64,
    pub permission_policy_ids: Vec<Uuid>,
    pub access_end: String,
    pub utc_offset_minutes: i32,
}

pub fn user_update(
    edit: &UserEdit,
    catalog: &Catalog,
    now: DateTime<Utc>,
) -> Result<UserUpdate, Vec<FieldError>> {
    let mut errors = Vec::new();
    let dt_end_access = access_end(&edit.access_end, edit.utc_offset_minutes).unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    let update = UserUpdate {
        version: edit.version,
        permission_policy_ids: Some(edit.permission_policy_ids.clone()),
        dt_end_access,
    };
    if let Err(rules) = validate::user_update(&update, now) {
        errors.extend(rules);
    }
    errors.extend(unknown_ids(
        &edit.permission_policy_ids,
        &validate::Placement::default(),
        catalog,
    ));
    match errors.is_empty() {
        true => Ok(update),
        false => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_names_every_bad_field_and_reads_the_day_on_the_local_clock() {
        let now: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().unwrap();
        let bad = InvitationEdit {
            first_name: "x".repeat(101),
            contact_number: "call me".into(),
            access_end: "tomorrow".into(),
            role_id: Some(Uuid::new_v4()),
            ..Default::default()
        };
        let errors = invitation_update(&bad, &Catalog::default(), now).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for field in [
            "firstName",
            "lastName",
            "contactNumber",
            "permissionPolicyIds",
            "dtEndAccess",
            "roleId",
        ] {
            assert!(fields.contains(&field), "{field} in {fields:?}");
        }
        let good = UserEdit {
            version: 3,
            permission_policy_ids: vec![Uuid::new_v4()],
            access_end: "2026-12-31".into(),
            utc_offset_minutes: -5 * 60,
        };
        let update = user_update(&good, &Catalog::default(), now).unwrap();
        assert_eq!(
            update.dt_end_access.unwrap().to_rfc3339(),
            "2027-01-01T04:59:59+00:00"
        );
        assert_eq!(update.version, 3);
    }
}
