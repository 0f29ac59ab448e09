//! The domain rules of DESIGN §4 as functions. The client runs them before sending, the
//! server runs them again as the authority; every failure names the field and the rule.

use chrono::{DateTime, Duration, Utc};
use email_address::EmailAddress;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::invitation::{InvitationUpdate, NewInvitation};
use crate::user::UserUpdate;

pub const EMAIL_MAX_CHARS: usize = 254;
pub const NAME_MAX_CHARS: usize = 100;
pub const CONTACT_NUMBER_MAX_CHARS: usize = 50;
pub const POLICIES_MAX: usize = 100;
pub const EXPIRY_DEFAULT_DAYS: i64 = 30;
pub const EXPIRY_MAX_DAYS: i64 = 90;
pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// The limits above as one value, for a form to draw its fields with (maximum lengths, the
/// expiry's default and range) without writing them a second time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    pub email_max_chars: usize,
    pub name_max_chars: usize,
    pub contact_number_max_chars: usize,
    pub policies_max: usize,
    pub expiry_default_days: i64,
    pub expiry_max_days: i64,
    pub search_max_chars: usize,
}

impl Limits {
    pub const MODEL: Limits = Limits {
        email_max_chars: EMAIL_MAX_CHARS,
        name_max_chars: NAME_MAX_CHARS,
        contact_number_max_chars: CONTACT_NUMBER_MAX_CHARS,
        policies_max: POLICIES_MAX,
        expiry_default_days: EXPIRY_DEFAULT_DAYS,
        expiry_max_days: EXPIRY_MAX_DAYS,
        search_max_chars: crate::page::SEARCH_MAX_CHARS,
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Required,
    TooLong,
    ForbiddenCharacter,
    InvalidEmail,
    InvalidContactNumber,
    TooFew,
    TooMany,
    Duplicate,
    NotInFuture,
    TooFarAhead,
    ParentRequired,
    /// The id names nothing of this organisation (checked by the server).
    Unknown,
    /// A new expiry for an Expired invitation comes only through resend.
    ResendToRenew,
    TooShort,
    /// A password that contains the person's e-mail name or own names.
    Guessable,
    /// Not a calendar date as YYYY-MM-DD.
    InvalidDate,
}

impl Rule {
    pub fn code(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// The wire name of the field, e.g. `firstName`.
    pub field: String,
    pub rule: Rule,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, rule: Rule, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            rule,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// CR, LF and NUL are refused in every text field: they would let a value break out of an
/// e-mail header or a CSV row.
pub fn clean_text(field: &str, value: &str) -> Result<(), FieldError> {
    if value.contains(['\r', '\n', '\0']) {
        return Err(FieldError::new(
            field,
            Rule::ForbiddenCharacter,
            format!("{field} must not contain line breaks or NUL characters"),
        ));
    }
    Ok(())
}

/// One bare addr-spec (`name@example.com`): no display name, comment, angle brackets, quoted
/// local part or inner whitespace; at most 254 characters; a domain with a dot. Returned in
/// its one canonical spelling (NFC, lower-cased, the domain through IDNA), so that every
/// spelling of one mailbox compares equal wherever addresses are compared.
pub fn email(value: &str) -> Result<String, FieldError> {
    const FIELD: &str = "email";
    clean_text(FIELD, value)?;
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(FIELD, Rule::Required, "email is required"));
    }
    if trimmed.chars().count() > EMAIL_MAX_CHARS {
        return Err(too_long_email());
    }
    let canonical = canonical_email(trimmed).ok_or_else(|| {
        FieldError::new(
            FIELD,
            Rule::InvalidEmail,
            "email must be one bare address like name@example.com (no name, brackets or spaces)",
        )
    })?;
    if canonical.chars().count() > EMAIL_MAX_CHARS {
        return Err(too_long_email());
    }
    Ok(canonical)
}

fn too_long_email() -> FieldError {
    FieldError::new(
        "email",
        Rule::TooLong,
        format!("email must be at most {EMAIL_MAX_CHARS} characters"),
    )
}

/// The canonical spelling of a bare addr-spec, or None if it is not one.
fn canonical_email(address: &str) -> Option<String> {
    let composed: String = address.nfc().collect();
    let (local, domain) = composed.rsplit_once('@')?;
    if !is_dot_atom(local) || local.chars().count() > 64 {
        return None;
    }
    // UTS 46 with the STD3 rules: the domain's labels are letters, digits and hyphens, and
    // upper case, full-width and other compatibility spellings map to one form.
    let ascii = idna::domain_to_ascii_strict(domain).ok()?;
    let labels: Vec<&str> = ascii.split('.').collect();
    let top = labels.last().copied().unwrap_or("");
    if labels.len() < 2
        || labels.iter().any(|l| l.is_empty())
        || top.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let (unicode_domain, errors) = idna::domain_to_unicode(&ascii);
    errors.ok()?;
    let local: String = local.to_lowercase().nfc().collect();
    let candidate = format!("{local}@{unicode_domain}");
    // The library's grammar as a second opinion, with everything but the bare form turned off.
    let strict = email_address::Options::default()
        .without_display_text()
        .without_domain_literal();
    EmailAddress::parse_with_options(&format!("{local}@{ascii}"), strict).ok()?;
    Some(candidate)
}

/// Zero-width and direction-changing characters: they make one address look like another.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// RFC 5322's dot-atom (RFC 6531 lets its atoms hold any non-ASCII character): atoms of
/// letters, digits and ``!#$%&'*+-/=?^_`{|}~`` joined by single dots.
fn is_dot_atom(local: &str) -> bool {
    let atext = |c: char| {
        c.is_ascii_alphanumeric()
            || "!#$%&'*+-/=?^_`{|}~".contains(c)
            || (!c.is_ascii() && !c.is_whitespace() && !c.is_control() && !is_invisible(c))
    };
    !local.is_empty()
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(atext))
}

/// A first or last name: 1–100 characters after trimming; required for a new person.
pub fn name(
    field: &str,
    value: Option<&str>,
    required: bool,
) -> Result<Option<String>, FieldError> {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    let Some(value) = value else {
        return if required {
            Err(FieldError::new(
                field,
                Rule::Required,
                format!("{field} is required for a new person"),
            ))
        } else {
            Ok(None)
        };
    };
    clean_text(field, value)?;
    if value.chars().count() > NAME_MAX_CHARS {
        return Err(FieldError::new(
            field,
            Rule::TooLong,
            format!("{field} must be at most {NAME_MAX_CHARS} characters"),
        ));
    }
    Ok(Some(value.to_owned()))
}

/// At most 50 characters of digits, spaces and `+-()`, with at least one digit.
pub fn contact_number(value: Option<&str>, required: bool) -> Result<Option<String>, FieldError> {
    const FIELD: &str = "contactNumber";
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    let Some(value) = value else {
        return if required {
            Err(FieldError::new(
                FIELD,
                Rule::Required,
                "contactNumber is required for a new person",
            ))
        } else {
            Ok(None)
        };
    };
    clean_text(FIELD, value)?;
    if value.chars().count() > CONTACT_NUMBER_MAX_CHARS {
        return Err(FieldError::new(
            FIELD,
            Rule::TooLong,
            format!("contactNumber must be at most {CONTACT_NUMBER_MAX_CHARS} characters"),
        ));
    }
    let allowed = |c: char| c.is_ascii_digit() || " +-()".contains(c);
    if !value.chars().all(allowed) || !value.chars().any(|c| c.is_ascii_digit()) {
        return Err(FieldError::new(
            FIELD,
            Rule::InvalidContactNumber,
            "contactNumber may hold only digits, spaces and + - ( )",
        ));
    }
    Ok(Some(value.to_owned()))
}

/// 1–100 distinct policy ids (whether each exists is the server's check).
pub fn permission_policy_ids(ids: &[Uuid]) -> Result<(), FieldError> {
    const FIELD: &str = "permissionPolicyIds";
    if ids.is_empty() {
        return Err(FieldError::new(
            FIELD,
            Rule::TooFew,
            "choose at least one permission policy",
        ));
    }
    if ids.len() > POLICIES_MAX {
        return Err(FieldError::new(
            FIELD,
            Rule::TooMany,
            format!("at most {POLICIES_MAX} permission policies"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if !ids.iter().all(|id| seen.insert(*id)) {
        return Err(FieldError::new(
            FIELD,
            Rule::Duplicate,
            "a permission policy is listed twice",
        ));
    }
    Ok(())
}

/// In the future and at most 90 days ahead; absent means 30 days from now.
pub fn invite_expiry(
    value: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, FieldError> {
    const FIELD: &str = "dtExpiry";
    let Some(expiry) = value else {
        return Ok(now + Duration::days(EXPIRY_DEFAULT_DAYS));
    };
    if expiry <= now {
        return Err(FieldError::new(
            FIELD,
            Rule::NotInFuture,
            "dtExpiry must be in the future",
        ));
    }
    if expiry > now + Duration::days(EXPIRY_MAX_DAYS) {
        return Err(FieldError::new(
            FIELD,
            Rule::TooFarAhead,
            format!("dtExpiry must be at most {EXPIRY_MAX_DAYS} days from now"),
        ));
    }
    Ok(expiry)
}

/// Optional; when given, in the future.
pub fn end_access(
    value: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, FieldError> {
    match value {
        Some(end) if end <= now => Err(FieldError::new(
            "dtEndAccess",
            Rule::NotInFuture,
            "dtEndAccess must be in the future",
        )),
        other => Ok(other),
    }
}

/// A new account's password: 12–128 characters, and not built from the person's own e-mail
/// name or names, which are the first things an attacker tries.
pub fn password(value: &str, email: &str, names: &[&str]) -> Result<(), FieldError> {
    const FIELD: &str = "password";
    let length = value.chars().count();
    if length < PASSWORD_MIN_CHARS {
        return Err(FieldError::new(
            FIELD,
            Rule::TooShort,
            format!("password must be at least {PASSWORD_MIN_CHARS} characters"),
        ));
    }
    if length > PASSWORD_MAX_CHARS {
        return Err(FieldError::new(
            FIELD,
            Rule::TooLong,
            format!("password must be at most {PASSWORD_MAX_CHARS} characters"),
        ));
    }
    let lowered = value.to_lowercase();
    let local_part = email.split('@').next().unwrap_or("");
    let personal = std::iter::once(local_part).chain(names.iter().copied());
    if personal
        .map(str::to_lowercase)
        .any(|p| p.chars().count() >= 3 && lowered.contains(&p))
    {
        return Err(FieldError::new(
            FIELD,
            Rule::Guessable,
            "password must not contain your e-mail name or your names",
        ));
    }
    too_guessable(value, email, names)
}

/// Passwords are refused when a strength estimator (zxcvbn: dictionaries of common and leaked
/// passwords, names, keyboard patterns, dates, repeats, with the person's own details) reckons
/// them crackable in fewer than 10^10 guesses.
fn too_guessable(value: &str, email: &str, names: &[&str]) -> Result<(), FieldError> {
    let mut personal: Vec<&str> = names.to_vec();
    personal.extend(email.split(['@', '.']).filter(|p| !p.is_empty()));
    let estimate = zxcvbn::zxcvbn(value, &personal);
    if estimate.score() >= zxcvbn::Score::Three {
        return Ok(());
    }
    let why = estimate
        .feedback()
        .and_then(|f| f.warning())
        .map(|w| format!(" ({w})"))
        .unwrap_or_default();
    Err(FieldError::new(
        "password",
        Rule::Guessable,
        format!("password is too easy to guess{why}: add more unusual words"),
    ))
}

/// Where an invitee is placed. Each level needs its parent: a subscription or role needs its
/// app, an app needs its business.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Placement {
    pub business_id: Option<Uuid>,
    pub app_id: Option<Uuid>,
    pub subscription_id: Option<Uuid>,
    pub role_id: Option<Uuid>,
}

pub fn placement(p: &Placement) -> Result<(), FieldError> {
    let missing = |field: &str, parent: &str| {
        FieldError::new(
            field,
            Rule::ParentRequired,
            format!("{field} needs {parent} as well"),
        )
    };
    if p.app_id.is_some() && p.business_id.is_none() {
        return Err(missing("appId", "businessId"));
    }
    if p.subscription_id.is_some() && p.app_id.is_none() {
        return Err(missing("subscriptionId", "appId"));
    }
    if p.role_id.is_some() && p.app_id.is_none() {
        return Err(missing("roleId", "appId"));
    }
    Ok(())
}

/// A create request that passed every rule, with its values normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidNewInvitation {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub contact_number: Option<String>,
    pub permission_policy_ids: Vec<Uuid>,
    pub dt_end_access: Option<DateTime<Utc>>,
    pub dt_expiry: DateTime<Utc>,
    pub existing_user: bool,
    pub placement: Placement,
}

/// Collects every failure rather than stopping at the first, so a form can mark them all.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }
}

pub fn new_invitation(
    request: &NewInvitation,
    now: DateTime<Utc>,
) -> Result<ValidNewInvitation, Vec<FieldError>> {
    let mut errors = Errors::default();
    let new_person = !request.existing_user;
    let email = errors.check(email(&request.email));
    let first_name = errors.check(name("firstName", request.first_name.as_deref(), new_person));
    let last_name = errors.check(name("lastName", request.last_name.as_deref(), new_person));
    let contact = errors.check(contact_number(
        request.contact_number.as_deref(),
        new_person,
    ));
    errors.check(permission_policy_ids(&request.permission_policy_ids));
    let dt_end_access = errors.check(end_access(request.dt_end_access, now));
    let dt_expiry = errors.check(invite_expiry(request.dt_expiry, now));
    let placement = Placement {
        business_id: request.business_id,
        app_id: request.app_id,
        subscription_id: request.subscription_id,
        role_id: request.role_id,
    };
    errors.check(self::placement(&placement));
    match (
        email,
        first_name,
        last_name,
        contact,
        dt_end_access,
        dt_expiry,
    ) {
        (
            Some(email),
            Some(first_name),
            Some(last_name),
            Some(contact_number),
            Some(end),
            Some(expiry),
        ) if errors.0.is_empty() => Ok(ValidNewInvitation {
            email,
            first_name,
            last_name,
            contact_number,
            permission_policy_ids: request.permission_policy_ids.clone(),
            dt_end_access: end,
            dt_expiry: expiry,
            existing_user: request.existing_user,
            placement,
        }),
        _ => Err(errors.0),
    }
}

/// An edit that passed every rule. `dt_expiry` is `None` when the expiry stays as it is.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidInvitationUpdate {
    pub version: i64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub contact_number: Option<String>,
    pub permission_policy_ids: Vec<Uuid>,
    pub dt_end_access: Option<DateTime<Utc>>,
    pub dt_expiry: Option<DateTime<Utc>>,
    pub placement: Placement,
}

/// `existing_user` and `expired` come from the stored invitation: the same name rules apply
/// as at creation, and an Expired invitation is renewed only by resend.
pub fn invitation_update(
    request: &InvitationUpdate,
    existing_user: bool,
    expired: bool,
    now: DateTime<Utc>,
) -> Result<ValidInvitationUpdate, Vec<FieldError>> {
    let mut errors = Errors::default();
    let new_person = !existing_user;
    let first_name = errors.check(name("firstName", request.first_name.as_deref(), new_person));
    let last_name = errors.check(name("lastName", request.last_name.as_deref(), new_person));
    let contact = errors.check(contact_number(
        request.contact_number.as_deref(),
        new_person,
    ));
    errors.check(permission_policy_ids(&request.permission_policy_ids));
    let dt_end_access = errors.check(end_access(request.dt_end_access, now));
    let dt_expiry = match request.dt_expiry {
        Some(_) if expired => errors.check(Err(FieldError::new(
            "dtExpiry",
            Rule::ResendToRenew,
            "an expired invitation gets a new expiry by resending it",
        ))),
        Some(expiry) => errors.check(invite_expiry(Some(expiry), now).map(Some)),
        None => Some(None),
    };
    let placement = Placement {
        business_id: request.business_id,
        app_id: request.app_id,
        subscription_id: request.subscription_id,
        role_id: request.role_id,
    };
    errors.check(self::placement(&placement));
    match (first_name, last_name, contact, dt_end_access, dt_expiry) {
        (Some(first_name), Some(last_name), Some(contact_number), Some(end), Some(expiry))
            if errors.0.is_empty() =>
        {
            Ok(ValidInvitationUpdate {
                version: request.version,
                first_name,
                last_name,
                contact_number,
                permission_policy_ids: request.permission_policy_ids.clone(),
                dt_end_access: end,
                dt_expiry: expiry,
                placement,
            })
        }
        _ => Err(errors.0),
    }
}

pub fn user_update(request: &UserUpdate, now: DateTime<Utc>) -> Result<(), Vec<FieldError>> {
    let mut errors = Errors::default();
    if let Some(ids) = &request.permission_policy_ids {
        errors.check(permission_policy_ids(ids));
    }
    errors.check(end_access(request.dt_end_access, now));
    if errors.0.is_empty() {
        Ok(())
    } else {
        Err(errors.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-22T10:00:00Z".parse().unwrap()
    }

    fn new_person() -> NewInvitation {
        NewInvitation {
            email: " Ada.Lovelace@Example.COM ".into(),
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            contact_number: Some("+44 (0)20 7946-0000".into()),
            permission_policy_ids: vec![Uuid::new_v4()],
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_new_person_is_normalised_and_expires_in_30_days() {
        let valid = new_invitation(&new_person(), now()).unwrap();
        assert_eq!(valid.email, "ada.lovelace@example.com");
        assert_eq!(valid.dt_expiry, now() + Duration::days(30));
    }

    #[test]
    fn every_invalid_field_is_reported_at_once() {
        let request = NewInvitation {
            email: "not an address".into(),
            first_name: None,
            last_name: Some("x".repeat(101)),
            contact_number: Some("call me".into()),
            permission_policy_ids: vec![],
            dt_expiry: Some(now() - Duration::days(1)),
            dt_end_access: Some(now() - Duration::days(1)),
            subscription_id: Some(Uuid::new_v4()),
            ..Default::default()
        };
        let errors = new_invitation(&request, now()).unwrap_err();
        let found: Vec<(&str, Rule)> = errors.iter().map(|e| (e.field.as_str(), e.rule)).collect();
        assert_eq!(
            found,
            vec![
                ("email", Rule::InvalidEmail),
                ("firstName", Rule::Required),
                ("lastName", Rule::TooLong),
                ("contactNumber", Rule::InvalidContactNumber),
                ("permissionPolicyIds", Rule::TooFew),
                ("dtEndAccess", Rule::NotInFuture),
                ("dtExpiry", Rule::NotInFuture),
                ("subscriptionId", Rule::ParentRequired),
            ]
        );
    }

    #[test]
    fn an_existing_user_needs_no_names() {
        let request = NewInvitation {
            email: "grace@example.com".into(),
            existing_user: true,
            permission_policy_ids: vec![Uuid::new_v4()],
            ..Default::default()
        };
        let valid = new_invitation(&request, now()).unwrap();
        assert_eq!(valid.first_name, None);
    }

    #[test]
    fn expiry_is_at_most_90_days_ahead() {
        assert!(invite_expiry(Some(now() + Duration::days(90)), now()).is_ok());
        let err = invite_expiry(
            Some(now() + Duration::days(90) + Duration::seconds(1)),
            now(),
        );
        assert_eq!(err.unwrap_err().rule, Rule::TooFarAhead);
    }

    #[test]
    fn emails_need_a_domain_with_a_dot_and_one_address() {
        for bad in [
            "a@localhost",
            "a@b.",
            "a@b.com, c@d.com",
            "a b@c.com",
            "@c.com",
            "\"q\"@c.com",
            "Someone <victim@example.com>",
            "<victim@example.com>",
            "victim@example.com (Someone)",
            "victim(comment)@example.com",
            "victim@[127.0.0.1]",
            "victim@example.123",
            "vic\u{202E}tim@example.com",
            "victim@exa mple.com",
        ] {
            assert_eq!(email(bad).unwrap_err().rule, Rule::InvalidEmail, "{bad}");
        }
    }

    #[test]
    fn every_spelling_of_one_mailbox_is_one_address() {
        let same = [
            ("Ada@EXAMPLE.com", "ada@example.com"),
            ("ada@\u{FF25}XAMPLE.com", "ada@example.com"),
            ("ada@xn--mnchen-3ya.de", "ada@münchen.de"),
            ("ada@MÜNCHEN.DE", "ada@münchen.de"),
            ("jose\u{301}@example.com", "josé@example.com"),
        ];
        for (spelling, canonical) in same {
            assert_eq!(email(spelling).unwrap(), canonical, "{spelling}");
        }
    }

    #[test]
    fn passwords_are_long_and_not_made_of_the_persons_names() {
        let ok = password(
            "correct horse battery",
            "ada@example.com",
            &["Ada", "Lovelace"],
        );
        assert!(ok.is_ok());
        let rule = |p: &str| {
            password(p, "ada.l@example.com", &["Ada", "Lovelace"])
                .unwrap_err()
                .rule
        };
        assert_eq!(rule("short"), Rule::TooShort);
        assert_eq!(rule("my-LOVELACE-2026!"), Rule::Guessable);
        assert_eq!(rule("xx ada.l xx yy zz"), Rule::Guessable);
        assert_eq!(rule(&"a".repeat(129)), Rule::TooLong);
    }

    #[test]
    fn common_and_patterned_passwords_are_refused_and_say_why() {
        for weak in [
            "password1234",
            "qwertyuiop123",
            "123456789012",
            "aaaaaaaaaaaa",
            "iloveyou2026",
            "abcdefghijkl",
        ] {
            let error = password(weak, "grace@example.com", &["Grace", "Hopper"]).unwrap_err();
            assert_eq!(error.rule, Rule::Guessable, "{weak}");
            assert!(
                error.message.contains("too easy to guess"),
                "{}",
                error.message
            );
        }
        assert!(password(
            "a long and private passphrase",
            "grace@example.com",
            &["Grace"]
        )
        .is_ok());
    }

    #[test]
    fn an_expired_invitation_is_renewed_only_by_resend() {
        let update = InvitationUpdate {
            version: 1,
            first_name: Some("A".into()),
            last_name: Some("B".into()),
            contact_number: Some("1".into()),
            permission_policy_ids: vec![Uuid::new_v4()],
            dt_expiry: Some(now() + Duration::days(3)),
            ..Default::default()
        };
        let errors = invitation_update(&update, false, true, now()).unwrap_err();
        assert_eq!(errors[0].rule, Rule::ResendToRenew);
        assert!(invitation_update(&update, false, false, now()).is_ok());
    }
}
