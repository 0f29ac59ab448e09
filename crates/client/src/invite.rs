//! The invite form, as the app collects it, turned into an invitation to send: text trimmed,
//! dates read on the administrator's calendar, ids checked against the cached catalogue, and
//! every rule of `crates/model` applied, so that every invalid field is reported at once,
//! before anything is sent. The UI shows these errors as it is typed into: no rule is written
//! twice.

use chrono::{DateTime, Duration, Utc};
use invitedesk_model::validate::{self, Placement, EXPIRY_DEFAULT_DAYS};
use invitedesk_model::{FieldError, NewInvitation, Rule};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cache::Catalog;
use crate::local_day;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InviteForm {
    /// An existing user of the platform rather than a new person (names then optional).
    pub existing_user: bool,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub contact_number: String,
    pub permission_policy_ids: Vec<Uuid>,
    /// YYYY-MM-DD; empty for no end.
    pub access_end: String,
    /// YYYY-MM-DD; empty for the default, 30 days from today.
    pub expires: String,
    pub business_id: Option<Uuid>,
    pub app_id: Option<Uuid>,
    pub subscription_id: Option<Uuid>,
    pub role_id: Option<Uuid>,
    /// The administrator's clock less UTC, in minutes: the days above are theirs.
    pub utc_offset_minutes: i32,
}

impl InviteForm {
    pub fn placement(&self) -> Placement {
        Placement {
            business_id: self.business_id,
            app_id: self.app_id,
            subscription_id: self.subscription_id,
            role_id: self.role_id,
        }
    }
}

pub(crate) fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

/// The access end chosen: through the end of that day on the administrator's clock.
pub(crate) fn access_end(
    text: &str,
    offset_minutes: i32,
) -> Result<Option<DateTime<Utc>>, FieldError> {
    Ok(local_day::parse("dtEndAccess", text)?.map(|day| local_day::end_of(day, offset_minutes)))
}

/// The ids a form names that the cached catalogue does not know (when it is cached).
pub(crate) fn unknown_ids(
    policy_ids: &[Uuid],
    placement: &Placement,
    catalog: &Catalog,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !catalog.policies.is_empty() {
        let unknown = policy_ids
            .iter()
            .filter(|id| !catalog.policies.iter().any(|p| p.id == **id))
            .count();
        if unknown > 0 {
            errors.push(FieldError::new(
                "permissionPolicyIds",
                Rule::Unknown,
                format!("{unknown} of the chosen permission policies no longer exist"),
            ));
        }
    }
    let placement = [
        (
            "businessId",
            placement.business_id,
            catalog.businesses.iter().map(|b| b.id).collect::<Vec<_>>(),
        ),
        (
            "appId",
            placement.app_id,
            catalog.apps.iter().map(|a| a.id).collect(),
        ),
        (
            "subscriptionId",
            placement.subscription_id,
            catalog.subscriptions.iter().map(|s| s.id).collect(),
        ),
        (
            "roleId",
            placement.role_id,
            catalog.roles.iter().map(|r| r.id).collect(),
        ),
    ];
    for (field, chosen, known) in placement {
        if let Some(id) = chosen.filter(|id| !known.is_empty() && !known.contains(id)) {
            errors.push(FieldError::new(
                field,
                Rule::Unknown,
                format!("{field} {id} is not in the catalogue"),
            ));
        }
    }
    errors
}

/// The invitation to send, or every field that is wrong.
pub fn build(
    form: &InviteForm,
    catalog: &Catalog,
    now: DateTime<Utc>,
) -> Result<NewInvitation, Vec<FieldError>> {
    let mut errors = Vec::new();
    let offset = form.utc_offset_minutes;
    let dt_end_access = access_end(&form.access_end, offset).unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    let dt_expiry = local_day::parse("dtExpiry", &form.expires)
        .map(|day| day.map(|d| local_day::same_time_on(d, now, offset)))
        .unwrap_or_else(|e| {
            errors.push(e);
            None
        })
        .or(Some(now + Duration::days(EXPIRY_DEFAULT_DAYS)));
    let invitation = NewInvitation {
        email: form.email.trim().to_owned(),
        first_name: optional(&form.first_name),
        last_name: optional(&form.last_name),
        contact_number: optional(&form.contact_number),
        permission_policy_ids: form.permission_policy_ids.clone(),
        dt_end_access,
        dt_expiry,
        existing_user: form.existing_user,
        business_id: form.business_id,
        app_id: form.app_id,
        subscription_id: form.subscription_id,
        role_id: form.role_id,
    };
    if let Err(rules) = validate::new_invitation(&invitation, now) {
        errors.extend(rules);
    }
    errors.extend(unknown_ids(
        &form.permission_policy_ids,
        &form.placement(),
        catalog,
    ));
    match errors.is_empty() {
        true => Ok(invitation),
        false => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn every_invalid_field_is_reported_at_once() {
        let form = InviteForm {
            email: "not an address".into(),
            first_name: "".into(),
            last_name: "Lovelace".into(),
            contact_number: "call me".into(),
            access_end: "31/12/2030".into(),
            expires: "2099-01-01".into(),
            ..Default::default()
        };
        let errors = build(&form, &Catalog::default(), Utc::now()).unwrap_err();
        let named = fields(&errors);
        for field in [
            "email",
            "firstName",
            "contactNumber",
            "permissionPolicyIds",
            "dtEndAccess",
            "dtExpiry",
        ] {
            assert!(named.contains(&field), "{field} missing from {named:?}");
        }
        let end = errors.iter().find(|e| e.field == "dtEndAccess").unwrap();
        assert_eq!(end.rule, Rule::InvalidDate);
    }

    #[test]
    fn a_good_form_gets_the_default_expiry_and_trimmed_text() {
        let now = Utc::now();
        let form = InviteForm {
            email: "  Ada@Example.com ".into(),
            first_name: " Ada ".into(),
            last_name: "Lovelace".into(),
            contact_number: "+44 20 7946 0000".into(),
            permission_policy_ids: vec![Uuid::new_v4()],
            ..Default::default()
        };
        let invitation = build(&form, &Catalog::default(), now).unwrap();
        assert_eq!(invitation.first_name.as_deref(), Some("Ada"));
        assert_eq!(invitation.email, "Ada@Example.com");
        assert_eq!(invitation.dt_expiry, Some(now + Duration::days(30)));
        assert_eq!(invitation.dt_end_access, None);
    }

    #[test]
    fn ids_the_cached_catalogue_does_not_know_are_refused() {
        let known = invitedesk_model::PermissionPolicy {
            id: Uuid::new_v4(),
            version: None,
            name: Some("Administrator".into()),
            managed: Some(true),
            permission_policy: Vec::new(),
        };
        let catalog = Catalog {
            policies: vec![known.clone()],
            ..Default::default()
        };
        let form = InviteForm {
            email: "ada@example.com".into(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            contact_number: "+44 20".into(),
            permission_policy_ids: vec![known.id, Uuid::new_v4()],
            ..Default::default()
        };
        let errors = build(&form, &catalog, Utc::now()).unwrap_err();
        assert_eq!(fields(&errors), vec!["permissionPolicyIds"]);
        assert_eq!(errors[0].rule, Rule::Unknown);
    }
}
