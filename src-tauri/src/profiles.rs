//! Connection profiles: name, API base URL, organisation id and access key id, kept with
//! tauri-plugin-store (a JSON file in the app's data folder). The API secret is never here: it
//! goes to the OS keyring (or, for the demo's throwaway credentials when no keyring runs, to
//! memory only).

use invitedesk_client::api::check_base_url;
use invitedesk_model::{FieldError, Rule};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_store::StoreExt;
use uuid::Uuid;

use crate::error::{CommandError, CommandResult, ErrorKind};

const STORE: &str = "profiles.json";

/// A profile's id as commands and paths take it. The app makes every id (a UUID, or `demo`),
/// so one is lower-case letters, digits and hyphens, 1–64 of them: no path can be built from
/// anything else, whatever a caller or an edited store file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileId(String);

impl ProfileId {
    pub fn parse(text: &str) -> CommandResult<Self> {
        let well_formed = (1..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        match well_formed {
            true => Ok(Self(text.to_owned())),
            false => Err(unknown_profile(text)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn unknown_profile(id: &str) -> CommandError {
    let shown: String = id.chars().take(64).collect();
    CommandError {
        field: Some("id".into()),
        ..CommandError::new(
            ErrorKind::NotFound,
            format!("No profile has the id {shown:?}"),
        )
    }
}

/// How a profile signs in: a service user's key and secret (m3ter's public API takes only
/// those), or a person through their browser, whose refresh token the keyring keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ProfileKind {
    #[default]
    ServiceUser,
    Person,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub base_url: String,
    pub org_id: Uuid,
    /// Empty for a person.
    pub access_key_id: String,
    /// Profiles saved before people could sign in are service users'.
    #[serde(default)]
    pub kind: ProfileKind,
}

/// A profile as the form sends it, secret included (it goes no further than the keyring).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProfileDraft {
    pub name: String,
    pub base_url: String,
    pub org_id: String,
    pub access_key_id: String,
    pub api_secret: String,
    pub kind: ProfileKind,
}

impl ProfileDraft {
    /// The profile it describes (with `id`), or every field that is wrong. An edit may leave
    /// the secret out (`secret_required` false) to keep the saved one.
    pub fn check(&self, id: String, secret_required: bool) -> CommandResult<Profile> {
        let mut errors = Vec::new();
        let mut require = |field: &str, value: &str, label: &str| {
            if value.trim().is_empty() {
                errors.push(FieldError::new(
                    field,
                    Rule::Required,
                    format!("{label} is required"),
                ));
            }
        };
        let person = self.kind == ProfileKind::Person;
        require("name", &self.name, "A name");
        require("baseUrl", &self.base_url, "The API address");
        // A person may leave the organisation to the sign-in page, which asks if they
        // belong to several; nothing secret is typed for them.
        if !person {
            require("orgId", &self.org_id, "The organisation id");
            require("accessKeyId", &self.access_key_id, "The access key id");
        }
        if secret_required && !person {
            require("apiSecret", &self.api_secret, "The API secret");
        }
        let base_url = match self.base_url.trim() {
            "" => String::new(),
            given => check_base_url(given).unwrap_or_else(|error| {
                errors.push(error);
                String::new()
            }),
        };
        let org_id = match self.org_id.trim() {
            "" if person => Ok(Uuid::nil()),
            given => Uuid::parse_str(given),
        };
        if org_id.is_err() && !self.org_id.trim().is_empty() {
            errors.push(FieldError::new(
                "orgId",
                Rule::Unknown,
                "The organisation id must be a UUID",
            ));
        }
        match (errors.is_empty(), org_id) {
            (true, Ok(org_id)) => Ok(Profile {
                id,
                name: self.name.trim().to_owned(),
                base_url,
                org_id,
                access_key_id: match person {
                    true => String::new(),
                    false => self.access_key_id.trim().to_owned(),
                },
                kind: self.kind,
            }),
            _ => Err(CommandError {
                field: errors.first().map(|e| e.field.clone()),
                errors,
                ..CommandError::new(ErrorKind::Validation, "Some fields need attention")
            }),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profiles {
    pub profiles: Vec<Profile>,
    pub selected: Option<String>,
}

impl Profiles {
    pub fn load<R: Runtime>(app: &AppHandle<R>) -> CommandResult<Self> {
        let store = app
            .store(STORE)
            .map_err(|e| CommandError::new(ErrorKind::Cache, format!("profiles: {e}")))?;
        Ok(store
            .get("profiles")
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default())
    }

    pub fn save<R: Runtime>(&self, app: &AppHandle<R>) -> CommandResult<()> {
        let store = app
            .store(STORE)
            .map_err(|e| CommandError::new(ErrorKind::Cache, format!("profiles: {e}")))?;
        store.set("profiles", serde_json::to_value(self).unwrap_or_default());
        store
            .save()
            .map_err(|e| CommandError::new(ErrorKind::Cache, format!("profiles: {e}")))?;
        // The store writes with the process's umask; an app embedding this crate may not
        // have set it, so the file is made owner-only here too.
        if let Ok(folder) = app.path().app_data_dir() {
            let _ = crate::owner_only::tighten(&folder);
        }
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.id == id)
    }

    /// The id of a profile that exists, or a clear error: commands take no other.
    pub fn known(&self, id: &str) -> CommandResult<ProfileId> {
        let parsed = ProfileId::parse(id)?;
        match self.get(parsed.as_str()) {
            Some(_) => Ok(parsed),
            None => Err(unknown_profile(id)),
        }
    }

    /// Adds or replaces the profile with the same id.
    pub fn put(&mut self, profile: Profile) {
        match self.profiles.iter_mut().find(|p| p.id == profile.id) {
            Some(existing) => *existing = profile,
            None => self.profiles.push(profile),
        }
    }

    pub fn remove(&mut self, id: &str) {
        self.profiles.retain(|p| p.id != id);
        if self.selected.as_deref() == Some(id) {
            self.selected = self.profiles.first().map(|p| p.id.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_names_every_missing_field_and_refuses_plain_http_elsewhere() {
        let draft = ProfileDraft {
            base_url: "http://api.example.com".into(),
            org_id: "not-a-uuid".into(),
            ..Default::default()
        };
        let error = draft.check("p".into(), true).unwrap_err();
        let fields: Vec<_> = error.errors.iter().map(|e| e.field.as_str()).collect();
        for field in ["name", "accessKeyId", "apiSecret", "baseUrl", "orgId"] {
            assert!(fields.contains(&field), "{field} in {fields:?}");
        }
    }

    #[test]
    fn a_person_types_nothing_secret_and_may_leave_the_organisation_to_the_sign_in_page() {
        let draft = ProfileDraft {
            name: "Me at Acme".into(),
            base_url: "https://api.example.com".into(),
            kind: ProfileKind::Person,
            ..Default::default()
        };
        let profile = draft.check("p".into(), true).unwrap();
        assert_eq!(
            (profile.kind, profile.org_id, profile.access_key_id.as_str()),
            (ProfileKind::Person, Uuid::nil(), "")
        );
        let saved_before: Profile = serde_json::from_value(serde_json::json!({
            "id": "old", "name": "Old", "baseUrl": "https://api.example.com",
            "orgId": Uuid::nil(), "accessKeyId": "key"
        }))
        .unwrap();
        assert_eq!(saved_before.kind, ProfileKind::ServiceUser);
    }

    #[test]
    fn a_profile_id_is_never_a_path() {
        for bad in [
            "../x",
            "/home/user",
            "a/b",
            "..",
            "",
            "DEMO",
            "a\\b",
            &"a".repeat(65),
        ] {
            let error = ProfileId::parse(bad).unwrap_err();
            assert_eq!(
                (error.kind, error.field.as_deref()),
                (ErrorKind::NotFound, Some("id")),
                "{bad}"
            );
        }
        for good in ["demo", "0b7c6a52-4c2d-4c55-9f7e-0f7e0cbbd0d1"] {
            assert_eq!(ProfileId::parse(good).unwrap().as_str(), good);
        }
        let profiles = Profiles::default();
        assert_eq!(
            profiles.known("demo").unwrap_err().kind,
            ErrorKind::NotFound
        );
    }

    #[test]
    fn a_good_draft_becomes_a_profile_without_its_secret() {
        let draft = ProfileDraft {
            name: " Acme ".into(),
            base_url: "http://127.0.0.1:8080/".into(),
            org_id: Uuid::nil().to_string(),
            access_key_id: "key".into(),
            api_secret: "secret".into(),
            kind: ProfileKind::ServiceUser,
        };
        let profile = draft.check("p1".into(), true).unwrap();
        assert_eq!(profile.name, "Acme");
        assert_eq!(profile.base_url, "http://127.0.0.1:8080");
        assert!(!serde_json::to_string(&profile).unwrap().contains("secret"));
    }
}
