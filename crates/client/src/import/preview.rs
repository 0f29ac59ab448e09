//! Every row checked before anything is sent: names resolved to the cached catalogue's ids,
//! the invite form's rules (the same `invite::build` the form uses), duplicates within the
//! file, people already invited or already members (from the cache), and each subscription's
//! seats forecast. Each problem is reported at its row and column.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use invitedesk_model::{FieldError, NewInvitation};
use serde::Serialize;
use uuid::Uuid;

use super::columns::{Field, Mapping};
use super::csv_file::{SourceRow, Table};
use super::ImportError;
use crate::cache::{Cache, Catalog};
use crate::invite::{self, InviteForm};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    pub rows: Vec<PreviewRow>,
    pub seats: Vec<SeatForecast>,
    /// Rows that will be sent by "send the valid rows".
    pub ready: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRow {
    /// Its place among the file's rows of people, from 0.
    pub index: usize,
    /// Its row number in the spreadsheet.
    pub row: u64,
    pub email: String,
    pub name: String,
    pub check: RowCheck,
    pub problems: Vec<Problem>,
    /// Its subscription has fewer free seats than rows before it: the server will refuse it.
    pub short_of_seats: bool,
    #[serde(skip)]
    pub invitation: Option<NewInvitation>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RowCheck {
    Ready,
    /// Invalid: see `problems`.
    Invalid,
    /// Already has a live invitation (`existing_id`) or appears in an earlier row.
    #[serde(rename_all = "camelCase")]
    Duplicate {
        existing_id: Option<Uuid>,
        first_row: Option<u64>,
    },
    /// Already a member of the organisation.
    #[serde(rename_all = "camelCase")]
    Member {
        user_id: Uuid,
    },
}

/// One broken rule, at its column (the file's header, or the field's name when unmapped).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    pub column: String,
    pub field: Option<Field>,
    pub rule: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatForecast {
    pub subscription_id: Uuid,
    pub name: String,
    pub rows: usize,
    pub free: i64,
    pub refused: usize,
    pub message: String,
}

/// Who the organisation already has, by lower-case e-mail, as the cache knows it.
#[derive(Debug, Default, Clone)]
pub struct KnownPeople {
    pub live_invitations: HashMap<String, Uuid>,
    pub members: HashMap<String, Uuid>,
}

impl KnownPeople {
    /// The Pending (not yet expired) invitations and the members, read from their narrow
    /// tables: a scan of the e-mail column, not of the records.
    pub fn from_cache(cache: &Cache, now: DateTime<Utc>) -> crate::cache::Result<Self> {
        let conn = cache.connection();
        let mut live = conn.prepare_cached(
            "SELECT email, id FROM invitations
             WHERE status = 'Pending' AND (dt_expiry IS NULL OR dt_expiry > ?)",
        )?;
        let live_invitations = by_email(live.query_map([now.timestamp_micros()], email_and_id)?)?;
        let mut members = conn.prepare_cached("SELECT email, id FROM users")?;
        let members = by_email(members.query_map([], email_and_id)?)?;
        Ok(Self {
            live_invitations,
            members,
        })
    }
}

fn email_and_id(r: &rusqlite::Row) -> rusqlite::Result<(String, Vec<u8>)> {
    Ok((r.get(0)?, r.get(1)?))
}

fn by_email(
    rows: impl Iterator<Item = rusqlite::Result<(String, Vec<u8>)>>,
) -> crate::cache::Result<HashMap<String, Uuid>> {
    let mut found = HashMap::new();
    for row in rows {
        let (email, id) = row?;
        if let Ok(id) = Uuid::from_slice(&id) {
            found.insert(email.to_lowercase(), id);
        }
    }
    Ok(found)
}

/// Checks every row of `table` read through `mapping`.
pub fn preview(
    table: &Table,
    mapping: &Mapping,
    catalog: &Catalog,
    known: &KnownPeople,
    now: DateTime<Utc>,
    utc_offset_minutes: i32,
) -> Result<Preview, ImportError> {
    if !mapping.contains_key(&Field::Email) {
        return Err(ImportError::NoEmailColumn);
    }
    if let Some(&index) = mapping.values().find(|&&i| i >= table.headers.len()) {
        return Err(ImportError::NoSuchColumn { index });
    }
    let reader = RowReader {
        table,
        mapping,
        catalog,
        names: CatalogNames::of(catalog),
        now,
        utc_offset_minutes,
    };
    let mut first_rows: HashMap<String, u64> = HashMap::new();
    let mut rows: Vec<PreviewRow> = (table.rows.iter().enumerate())
        .map(|(index, source)| reader.check(index, source, known, &mut first_rows))
        .collect();
    let seats = forecast_seats(&mut rows, catalog);
    let ready = rows.iter().filter(|r| r.check == RowCheck::Ready).count();
    Ok(Preview { rows, seats, ready })
}

struct RowReader<'a> {
    table: &'a Table,
    mapping: &'a Mapping,
    catalog: &'a Catalog,
    names: CatalogNames,
    now: DateTime<Utc>,
    utc_offset_minutes: i32,
}

impl RowReader<'_> {
    fn cell<'r>(&self, row: &'r SourceRow, field: Field) -> &'r str {
        self.mapping.get(&field).map(|&i| row.cell(i)).unwrap_or("")
    }

    fn column(&self, field: Field) -> String {
        match self.mapping.get(&field) {
            Some(&i) => self.table.headers[i].clone(),
            None => field.title().to_owned(),
        }
    }

    fn problem(&self, error: &FieldError) -> Problem {
        let field = Field::of_rule_field(&error.field);
        Problem {
            column: field
                .map(|f| self.column(f))
                .unwrap_or_else(|| error.field.clone()),
            field,
            rule: error.rule.code(),
            message: error.message.clone(),
        }
    }

    fn check(
        &self,
        index: usize,
        source: &SourceRow,
        known: &KnownPeople,
        first_rows: &mut HashMap<String, u64>,
    ) -> PreviewRow {
        let email = self.cell(source, Field::Email).to_owned();
        let name = [Field::FirstName, Field::LastName]
            .map(|f| self.cell(source, f))
            .join(" ")
            .trim()
            .to_owned();
        let (form, mut errors) = self.form(source);
        let built = invite::build(&form, self.catalog, self.now);
        let invitation = match built {
            Ok(mut invitation) if errors.is_empty() => {
                // The server's default expiry, not one computed now: a later run of the same
                // file sends the same request under the same key.
                if self.cell(source, Field::Expiry).is_empty() {
                    invitation.dt_expiry = None;
                }
                Some(invitation)
            }
            Ok(_) => None,
            Err(rules) => {
                errors.extend(rules);
                None
            }
        };
        let problems: Vec<Problem> = errors.iter().map(|e| self.problem(e)).collect();
        let lower = email.to_lowercase();
        let check = match (&invitation, first_rows.get(&lower)) {
            (None, _) => RowCheck::Invalid,
            (Some(_), Some(&first_row)) => RowCheck::Duplicate {
                existing_id: None,
                first_row: Some(first_row),
            },
            (Some(_), None) => known_check(known, &lower),
        };
        if invitation.is_some() {
            first_rows.entry(lower).or_insert(source.row);
        }
        PreviewRow {
            index,
            row: source.row,
            email,
            name,
            check,
            problems,
            short_of_seats: false,
            invitation,
        }
    }

    /// The row as the invite form would hold it, and what of it names nothing known.
    fn form(&self, source: &SourceRow) -> (InviteForm, Vec<FieldError>) {
        let mut errors = Vec::new();
        let existing_user = kept(
            &mut errors,
            yes_or_no(self.cell(source, Field::ExistingUser)),
        );
        let policy_cell = self.cell(source, Field::Policies);
        let policies = kept(&mut errors, self.names.policies(policy_cell).map(Some));
        let placement = kept(
            &mut errors,
            self.names.placement(
                self.cell(source, Field::Business),
                self.cell(source, Field::App),
                self.cell(source, Field::Subscription),
                self.cell(source, Field::Role),
            ),
        );
        let form = InviteForm {
            existing_user: existing_user.unwrap_or(false),
            email: self.cell(source, Field::Email).to_owned(),
            first_name: self.cell(source, Field::FirstName).to_owned(),
            last_name: self.cell(source, Field::LastName).to_owned(),
            contact_number: self.cell(source, Field::ContactNumber).to_owned(),
            permission_policy_ids: policies.unwrap_or_default(),
            access_end: day_of(self.cell(source, Field::AccessEnd)),
            expires: day_of(self.cell(source, Field::Expiry)),
            business_id: placement.and_then(|p| p.business),
            app_id: placement.and_then(|p| p.app),
            subscription_id: placement.and_then(|p| p.subscription),
            role_id: placement.and_then(|p| p.role),
            utc_offset_minutes: self.utc_offset_minutes,
        };
        (form, errors)
    }
}

/// The value, or none with its error kept.
fn kept<T>(errors: &mut Vec<FieldError>, result: Result<Option<T>, FieldError>) -> Option<T> {
    result.unwrap_or_else(|e| {
        errors.push(e);
        None
    })
}

fn known_check(known: &KnownPeople, email: &str) -> RowCheck {
    if let Some(&user_id) = known.members.get(email) {
        return RowCheck::Member { user_id };
    }
    match known.live_invitations.get(email) {
        Some(&id) => RowCheck::Duplicate {
            existing_id: Some(id),
            first_row: None,
        },
        None => RowCheck::Ready,
    }
}

/// A spreadsheet's date cell as a day: `2027-01-31`, or the day of `2027-01-31T00:00:00`.
fn day_of(cell: &str) -> String {
    match cell.get(..10) {
        Some(day) if cell.len() > 10 && matches!(cell.as_bytes()[10], b'T' | b' ') => day.into(),
        _ => cell.to_owned(),
    }
}

fn yes_or_no(cell: &str) -> Result<Option<bool>, FieldError> {
    match cell.to_lowercase().as_str() {
        "" => Ok(None),
        "yes" | "y" | "true" | "1" | "x" => Ok(Some(true)),
        "no" | "n" | "false" | "0" => Ok(Some(false)),
        _ => Err(FieldError::new(
            "existingUser",
            invitedesk_model::Rule::Unknown,
            format!("existing user must be yes or no, not \"{cell}\""),
        )),
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Placed {
    business: Option<Uuid>,
    app: Option<Uuid>,
    subscription: Option<Uuid>,
    role: Option<Uuid>,
}

/// A subscription's id, its app's and its business's.
type PlacedSubscription = (Uuid, Option<Uuid>, Option<Uuid>);

/// The catalogue by lower-case name, each entry with its parents: a subscription named alone
/// places the invitee in its app and business too.
struct CatalogNames {
    policies: HashMap<String, Uuid>,
    businesses: HashMap<String, Vec<Uuid>>,
    apps: HashMap<String, Vec<(Uuid, Option<Uuid>)>>,
    subscriptions: HashMap<String, Vec<PlacedSubscription>>,
    roles: HashMap<String, Vec<(Uuid, Option<Uuid>)>>,
    app_business: HashMap<Uuid, Option<Uuid>>,
}

fn lower(name: &Option<String>) -> String {
    name.as_deref().unwrap_or("").trim().to_lowercase()
}

impl CatalogNames {
    fn of(catalog: &Catalog) -> Self {
        let mut names = Self {
            policies: HashMap::new(),
            businesses: HashMap::new(),
            apps: HashMap::new(),
            subscriptions: HashMap::new(),
            roles: HashMap::new(),
            app_business: HashMap::new(),
        };
        for p in &catalog.policies {
            names.policies.insert(lower(&p.name), p.id);
        }
        for b in &catalog.businesses {
            names
                .businesses
                .entry(lower(&b.name))
                .or_default()
                .push(b.id);
        }
        for a in &catalog.apps {
            names
                .apps
                .entry(lower(&a.name))
                .or_default()
                .push((a.id, a.business_id));
            names.app_business.insert(a.id, a.business_id);
        }
        for s in &catalog.subscriptions {
            let entry = (s.id, s.app_id, s.business_id);
            names
                .subscriptions
                .entry(lower(&s.name))
                .or_default()
                .push(entry);
        }
        for r in &catalog.roles {
            names
                .roles
                .entry(lower(&r.name))
                .or_default()
                .push((r.id, r.app_id));
        }
        names
    }

    /// Policies named in one cell, separated by `;`, `,` or `|`.
    fn policies(&self, cell: &str) -> Result<Vec<Uuid>, FieldError> {
        let named = cell
            .split([';', ',', '|'])
            .map(str::trim)
            .filter(|n| !n.is_empty());
        named
            .map(|name| {
                (self.policies.get(&name.to_lowercase()).copied())
                    .or_else(|| Uuid::parse_str(name).ok())
                    .ok_or_else(|| unknown("permissionPolicyIds", "permission policy", name))
            })
            .collect()
    }

    fn placement(
        &self,
        business: &str,
        app: &str,
        subscription: &str,
        role: &str,
    ) -> Result<Option<Placed>, FieldError> {
        let business = pick(&self.businesses, "businessId", "business", business, |_| {
            true
        })?;
        let in_business = |b: Option<Uuid>| business.is_none() || b == business;
        let app = pick(&self.apps, "appId", "app", app, |(_, b)| in_business(*b))?;
        let app_id = app.map(|(id, _)| id);
        let fits =
            |a: Option<Uuid>, b: Option<Uuid>| (app_id.is_none() || a == app_id) && in_business(b);
        let subscription = pick(
            &self.subscriptions,
            "subscriptionId",
            "subscription",
            subscription,
            |(_, a, b)| fits(*a, *b),
        )?;
        // Each level named alone implies its parents.
        let app_id = app_id.or(subscription.and_then(|(_, a, _)| a));
        let business = business
            .or(app.and_then(|(_, b)| b))
            .or(subscription.and_then(|(_, _, b)| b))
            .or_else(|| app_id.and_then(|a| self.app_business.get(&a).copied().flatten()));
        let role = pick(&self.roles, "roleId", "role", role, |(_, a)| {
            app_id.is_none() || *a == app_id
        })?;
        let placed = Placed {
            business,
            app: app_id,
            subscription: subscription.map(|(id, _, _)| id),
            role: role.map(|(id, _)| id),
        };
        Ok(Some(placed))
    }
}

/// The one entry named `name` that `fits`; none for an empty cell. Answers an id written in
/// the cell as it is (the rules then check it against the catalogue).
fn pick<T: Copy + Ids>(
    entries: &HashMap<String, Vec<T>>,
    field: &str,
    what: &str,
    name: &str,
    fits: impl Fn(&T) -> bool,
) -> Result<Option<T>, FieldError> {
    if name.is_empty() {
        return Ok(None);
    }
    let candidates = entries.get(&name.to_lowercase());
    let fitting: Vec<T> = candidates
        .into_iter()
        .flatten()
        .copied()
        .filter(|e| fits(e))
        .collect();
    match fitting.as_slice() {
        [one] => Ok(Some(*one)),
        [] if Uuid::parse_str(name).is_ok() => Ok(Uuid::parse_str(name).ok().map(T::with_id)),
        [] if candidates.is_some() => Err(FieldError::new(
            field,
            invitedesk_model::Rule::Unknown,
            format!("the {what} \"{name}\" is not under the business and app of this row"),
        )),
        [] => Err(unknown(field, what, name)),
        _ => Err(FieldError::new(
            field,
            invitedesk_model::Rule::Unknown,
            format!("several {what}s are named \"{name}\": name its business and app too"),
        )),
    }
}

/// Catalogue entries made from an id alone, their parents unknown.
trait Ids {
    fn with_id(id: Uuid) -> Self;
}
impl Ids for Uuid {
    fn with_id(id: Uuid) -> Self {
        id
    }
}
impl Ids for (Uuid, Option<Uuid>) {
    fn with_id(id: Uuid) -> Self {
        (id, None)
    }
}
impl Ids for (Uuid, Option<Uuid>, Option<Uuid>) {
    fn with_id(id: Uuid) -> Self {
        (id, None, None)
    }
}

fn unknown(field: &str, what: &str, name: &str) -> FieldError {
    FieldError::new(
        field,
        invitedesk_model::Rule::Unknown,
        format!("no {what} is named \"{name}\" in this organisation"),
    )
}

/// Per subscription: its ready rows against its free seats; the rows past them are marked.
fn forecast_seats(rows: &mut [PreviewRow], catalog: &Catalog) -> Vec<SeatForecast> {
    let mut taken: HashMap<Uuid, usize> = HashMap::new();
    for row in rows.iter_mut().filter(|r| r.check == RowCheck::Ready) {
        let Some(subscription) = row.invitation.as_ref().and_then(|i| i.subscription_id) else {
            continue;
        };
        let free = free_seats(catalog, subscription);
        let count = taken.entry(subscription).or_default();
        *count += 1;
        row.short_of_seats = free.is_some_and(|free| *count as i64 > free);
    }
    let mut forecasts: Vec<SeatForecast> = taken
        .into_iter()
        .filter_map(|(id, rows)| {
            let subscription = catalog.subscriptions.iter().find(|s| s.id == id)?;
            let free = subscription.seats.as_ref()?.available.max(0);
            let refused = rows.saturating_sub(free as usize);
            let name = subscription.name.clone().unwrap_or_else(|| id.to_string());
            Some(SeatForecast {
                subscription_id: id,
                message: seat_message(&name, rows, free, refused),
                name,
                rows,
                free,
                refused,
            })
        })
        .collect();
    forecasts.sort_by(|a, b| b.refused.cmp(&a.refused).then(a.name.cmp(&b.name)));
    forecasts
}

fn free_seats(catalog: &Catalog, subscription: Uuid) -> Option<i64> {
    let found = catalog
        .subscriptions
        .iter()
        .find(|s| s.id == subscription)?;
    found.seats.as_ref().map(|s| s.available)
}

fn seat_message(name: &str, rows: usize, free: i64, refused: usize) -> String {
    let rows_text = format!("{rows} row{} for {name}", if rows == 1 { "" } else { "s" });
    let free_text = format!("{free} seat{} free", if free == 1 { "" } else { "s" });
    match refused {
        0 => format!("{rows_text}, {free_text}: all fit"),
        n => format!("{rows_text}, {free_text}: {n} will be refused"),
    }
}
