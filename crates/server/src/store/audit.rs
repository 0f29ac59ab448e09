//! The audit trail: every change appends one event in its own transaction (so a refused or
//! rolled-back change leaves none), and `GET /auditlog` pages them like the other lists.
//! Events never move: their one stamp is both when they were made and their place in the
//! feed, so a single index serves the newest-first pages and the feed (0009_lean_audit.sql).
//! A deletion erases personal data inside them in place; only the retention purge removes them.

use chrono::{DateTime, Utc};
use invitedesk_model::audit::ERASED;
use invitedesk_model::{AuditAction, AuditEvent, FieldChange, Page};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::{Caller, PrincipalKind};
use crate::clock::Clock;
use crate::db::{self, micros, Conn, FromRow, Row, Sql, ToValue, Value};
use crate::error::{Error, Result};
use crate::store::paging::{self, ListParams, Pageable};

/// Where a request came from, as an event records it: the client's address (as the limiters
/// see it, `--trusted-proxy` honoured) and what it said it was.
#[derive(Debug, Clone, Default)]
pub struct RequestSource {
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

/// The longest user agent kept: enough to name an app and its version, never a flood.
const USER_AGENT_MAX_CHARS: usize = 200;

impl RequestSource {
    pub fn new(address: std::net::IpAddr, user_agent: Option<&str>) -> Self {
        Self {
            address: Some(address.to_string()),
            user_agent: user_agent.map(|ua| {
                ua.chars()
                    .filter(|c| !c.is_control())
                    .take(USER_AGENT_MAX_CHARS)
                    .collect()
            }),
        }
    }
}

/// Who acted.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<Uuid>,
    pub kind: &'static str,
    pub name: String,
}

impl Actor {
    pub fn of(caller: &Caller) -> Self {
        Self {
            id: Some(caller.principal_id),
            kind: match caller.kind {
                PrincipalKind::ServiceUser => "serviceUser",
                PrincipalKind::Person => "person",
            },
            name: caller.name.clone(),
        }
    }

    /// A person acting as their membership `user_id`, named as the member list names them.
    pub fn member(user_id: Uuid, email: &str, name: String) -> Self {
        Self {
            id: Some(user_id),
            kind: "person",
            name: if name.trim().is_empty() {
                email.to_owned()
            } else {
                name
            },
        }
    }

    /// The invitee on their own invitation's pages, named by the address it was sent to.
    pub fn invitee(invitation_id: Uuid, email: &str) -> Self {
        Self {
            id: Some(invitation_id),
            kind: "invitee",
            name: email.to_owned(),
        }
    }
}

/// A member's display name from `users u`, empty when they have none.
pub const MEMBER_NAME: &str =
    "TRIM(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, ''))";

/// What a person's own action (signing in, ending a sign-in) is recorded with: the member
/// acting, their organisation, and their e-mail as the record's.
pub fn member_event<'a>(
    conn: &Conn,
    user_id: Uuid,
    action: AuditAction,
    source: &'a RequestSource,
) -> Result<Event<'a>> {
    let (org_id, email, name): (String, String, String) = conn
        .prepare_cached(&format!(
            "SELECT org_id, email, {MEMBER_NAME} FROM users u WHERE id = ?"
        ))?
        .query_row([user_id.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    Ok(Event {
        org_id: db::uuid(&org_id)?,
        actor: Actor::member(user_id, &email, name),
        action,
        target: Target {
            id: Some(user_id),
            email: Some(email),
        },
        source,
        changes: Vec::new(),
    })
}

/// The record a change was made to.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: Option<Uuid>,
    pub email: Option<String>,
}

/// One change about to be recorded.
pub struct Event<'a> {
    pub org_id: Uuid,
    pub actor: Actor,
    pub action: AuditAction,
    pub target: Target,
    pub source: &'a RequestSource,
    pub changes: Vec<FieldChange>,
}

impl<'a> Event<'a> {
    /// What `caller` did to a record of their own organisation.
    pub fn by(caller: &'a Caller, action: AuditAction, id: Uuid, email: Option<&str>) -> Self {
        Self {
            org_id: caller.org_id,
            actor: Actor::of(caller),
            action,
            target: Target {
                id: Some(id),
                email: email.filter(|e| !e.is_empty()).map(str::to_owned),
            },
            source: &caller.source,
            changes: Vec::new(),
        }
    }

    pub fn with_changes(mut self, changes: Vec<FieldChange>) -> Self {
        self.changes = changes;
        self
    }

    /// With the fields that differ between two versions of the record.
    pub fn with_diff(self, before: &impl Serialize, after: &impl Serialize) -> Result<Self> {
        Ok(self.with_changes(changes_between(Some(before), after)?))
    }
}

/// Appends `event` in the caller's transaction.
pub fn append(conn: &Conn, clock: &Clock, event: Event) -> Result<()> {
    let stamp = conn.stamp(clock, event.org_id)?;
    append_as_of(conn, stamp, event)
}

/// Appends `event` as made at `at`, which becomes its place in the feed too: only for
/// history written before anyone reads the feed (the demo's seeded story).
pub fn append_as_of(conn: &Conn, at: DateTime<Utc>, event: Event) -> Result<()> {
    let stamp = micros(at);
    conn.prepare_cached(
        "INSERT INTO audit_events (id, org_id, dt_created, dt_last_modified, actor_id, actor_kind,
            actor_name, action, record_type, record_id, record_email, client_address, user_agent, changes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(crate::params![
        // Time-ordered and unique by how it is made: the table keeps no key on it, and it
        // breaks ties between events of one stamp in the order they were made.
        Uuid::now_v7().to_string(),
        event.org_id.to_string(),
        stamp,
        stamp,
        event.actor.id.map(|id| id.to_string()),
        event.actor.kind,
        event.actor.name,
        event.action.as_str(),
        event.action.record_type(),
        event.target.id.map(|id| id.to_string()),
        event.target.email,
        event.source.address.clone(),
        event.source.user_agent.clone(),
        serde_json::to_string(&event.changes)?,
    ])?;
    Ok(())
}

/// Fields a change always moves and that say nothing of what was changed, or that name the
/// record's own bookkeeping: left out of an event's changes.
const NOT_CHANGES: [&str; 12] = [
    "id",
    "version",
    "dtCreated",
    "dtLastModified",
    "createdBy",
    "lastModifiedBy",
    "createdByName",
    "lastModifiedByName",
    "deleted",
    "deliveryStatus",
    "deliveryError",
    "dtLastSent",
];

/// The fields whose values differ between two versions of a record (each as its wire form);
/// `before` is None for a record just made, so every field it has is new.
pub fn changes_between(
    before: Option<&impl Serialize>,
    after: &impl Serialize,
) -> Result<Vec<FieldChange>> {
    let object = |value: Json| match value {
        Json::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    let old = object(match before {
        Some(b) => serde_json::to_value(b)?,
        None => Json::Null,
    });
    let new = object(serde_json::to_value(after)?);
    let mut fields: Vec<&String> = old.keys().chain(new.keys()).collect();
    fields.sort();
    fields.dedup();
    Ok(fields
        .into_iter()
        .filter(|f| !NOT_CHANGES.contains(&f.as_str()))
        .filter_map(|field| {
            let (was, is) = (
                old.get(field).cloned().unwrap_or(Json::Null),
                new.get(field).cloned().unwrap_or(Json::Null),
            );
            (was != is).then(|| FieldChange {
                field: field.clone(),
                old: was,
                new: is,
            })
        })
        .collect())
}

/// `GET /auditlog`'s parameters: the list's paging, and filters that each walk an index.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// 1–200, default 50.
    pub page_size: Option<u32>,
    /// From the previous page's `nextToken`.
    pub next_token: Option<String>,
    /// Events committed strictly after this time, oldest first: pass the last
    /// `dtLastModified` seen.
    pub modified_since: Option<DateTime<Utc>>,
    /// With `modifiedSince`: also answer `total`.
    pub include_total: Option<bool>,
    /// The principal (service user, membership, account or invitation) who acted.
    pub actor_id: Option<Uuid>,
    /// One action, such as `invitation.resent`.
    pub action: Option<String>,
    /// The record changed.
    pub record_id: Option<Uuid>,
    /// The e-mail of the record changed, exactly (case-insensitive).
    pub email: Option<String>,
    /// Events at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Events before this time.
    pub to: Option<DateTime<Utc>>,
}

impl AuditParams {
    fn list_params(&self) -> ListParams {
        ListParams {
            page_size: self.page_size,
            next_token: self.next_token.clone(),
            modified_since: self.modified_since,
            include_total: self.include_total,
            ..Default::default()
        }
    }

    /// The filters but the e-mail's as one condition; None when there are none.
    fn condition(&self) -> Result<Option<Sql>> {
        let mut filters: Vec<(&str, Value)> = Vec::new();
        if let Some(actor) = self.actor_id {
            filters.push((" AND actor_id = ", actor.to_string().to_value()));
        }
        if let Some(action) = &self.action {
            let action = AuditAction::parse(action).ok_or_else(|| Error::BadRequest {
                code: "invalid_action",
                message: format!(
                    "action must be one of: {}",
                    AuditAction::ALL.map(AuditAction::as_str).join(", ")
                ),
                field: Some("action"),
            })?;
            filters.push((" AND action = ", action.as_str().to_value()));
        }
        if let Some(record) = self.record_id {
            filters.push((" AND record_id = ", record.to_string().to_value()));
        }
        // An event's stamp is when it was made (`append`): the time index serves the range.
        if let Some(from) = self.from {
            filters.push((" AND dt_last_modified >= ", micros(from).to_value()));
        }
        if let Some(to) = self.to {
            filters.push((" AND dt_last_modified < ", micros(to).to_value()));
        }
        if filters.is_empty() {
            return Ok(None);
        }
        let mut sql = Sql::new("");
        for (condition, value) in filters {
            sql.push(condition).bind(value);
        }
        Ok(Some(sql))
    }

    /// The pager's branches, each read on its own index and merged: one for the filters, or,
    /// with an e-mail, one per record that had it. None when no record ever had that e-mail.
    fn branches(&self, conn: &Conn, org_id: Uuid) -> Result<Option<Vec<Sql>>> {
        let condition = self.condition()?;
        let Some(email) = &self.email else {
            return Ok(Some(condition.into_iter().collect()));
        };
        let email = invitedesk_model::validate::email(email).map_err(Error::field)?;
        let records = records_with_email(conn, org_id, &email)?;
        if records.is_empty() {
            return Ok(None);
        }
        let about = |records: &[String]| {
            let mut sql = condition.clone().unwrap_or_default();
            sql.push(" AND record_email = ")
                .bind(email.clone())
                .push(" AND record_id IN (")
                .bind_list(records)
                .push(")");
            sql
        };
        Ok(Some(match records.len() <= MOST_BRANCHES {
            true => records.chunks(1).map(about).collect(),
            false => vec![about(&records)],
        }))
    }
}

/// Above this many records with one e-mail, their events are found by walking the trail newest
/// first instead of a branch per record: a query's branches are few (SQLite allows 500).
const MOST_BRANCHES: usize = 50;

/// The invitations and members of `org_id` with `email`, found by their own indexes: the trail
/// has none by e-mail (0009_lean_audit.sql), since an event with an e-mail is always about an
/// invitation or a member of its organisation. An invitation of any status is found by its
/// search index (its search text holds its e-mail); an erased record has no e-mail left.
fn records_with_email(conn: &Conn, org_id: Uuid, email: &str) -> Result<Vec<String>> {
    let org = org_id.to_string();
    let mut sql = match conn.is_postgres() {
        true => {
            let mut sql = Sql::new("SELECT id FROM invitations WHERE search_text LIKE ");
            sql.bind(db::like_pattern(email)).push(" ESCAPE '\\'");
            sql
        }
        false => {
            let mut sql = Sql::new(
                "SELECT i.id FROM invitations_search
                   CROSS JOIN invitations i ON i.rowid = invitations_search.rowid
                  WHERE invitations_search MATCH ",
            );
            sql.bind(crate::store::search::fts_phrase(email));
            sql
        }
    };
    sql.push(" AND org_id = ")
        .bind(org.clone())
        .push(" AND email = ")
        .bind(email)
        .push(" UNION ALL SELECT id FROM users WHERE org_id = ")
        .bind(org)
        .push(" AND email = ")
        .bind(email)
        .push(" AND deleted = 0");
    sql.query(conn, |r| r.get(0))
}

pub fn list(
    conn: &Conn,
    org_id: Uuid,
    params: &AuditParams,
    clock: &Clock,
) -> Result<Page<AuditEvent>> {
    let Some(branches) = params.branches(conn, org_id)? else {
        let counted = params.modified_since.is_some() && params.include_total == Some(true);
        return Ok(Page {
            data: Vec::new(),
            next_token: None,
            total: counted.then_some(0),
        });
    };
    let (rows, next_token, total) = paging::page_of::<EventRow>(
        conn,
        "audit_events",
        org_id,
        &params.list_params(),
        clock,
        branches,
    )?;
    Ok(Page {
        data: rows
            .into_iter()
            .map(EventRow::into_wire)
            .collect::<Result<_>>()?,
        next_token,
        total,
    })
}

/// Erases a deleted record's personal data from the trail too, as the deletion does from
/// everything else: its e-mail and the personal fields' values in its events, and its name
/// where it acted (an invitee, a member). The events stay, with who acted, what and when, and
/// keep their place in the feed: a synced copy erases its own when the record's tombstone
/// arrives (`AuditEvent::erase_personal_data`).
pub fn erase_personal_data(conn: &Conn, org_id: Uuid, record_id: Uuid) -> Result<()> {
    let (org, record) = (org_id.to_string(), record_id.to_string());
    let events: Vec<(String, i64, String)> = conn.query(
        // Two walks, one per index: with an OR, SQLite reads every event of the organisation.
        "SELECT id, dt_last_modified, changes FROM audit_events WHERE org_id = ?1 AND record_id = ?2
         UNION SELECT id, dt_last_modified, changes FROM audit_events WHERE org_id = ?1 AND actor_id = ?2",
        (&org, &record),
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    for (id, stamped, changes) in events {
        let mut changes: Vec<FieldChange> = serde_json::from_str(&changes)?;
        invitedesk_model::audit::erase_personal_changes(&mut changes);
        conn.prepare_cached(
            "UPDATE audit_events SET
                changes = CASE WHEN record_id = ?2 THEN ?1 ELSE changes END,
                record_email = CASE WHEN record_id = ?2 THEN NULL ELSE record_email END,
                actor_name = CASE WHEN actor_id = ?2 THEN ?3 ELSE actor_name END
             WHERE org_id = ?4 AND dt_last_modified = ?5 AND id = ?6",
        )?
        .execute((
            serde_json::to_string(&changes)?,
            &record,
            ERASED,
            &org,
            stamped,
            id,
        ))?;
    }
    Ok(())
}

/// Removes events older than `cutoff` (`--audit-retention-days`).
/// Organisation by organisation, so that the trail's time index serves it (an event's stamp
/// is when it was made): one index fewer for every event to write.
pub fn purge_older_than(conn: &Conn, cutoff: i64) -> Result<usize> {
    conn.execute(
        "DELETE FROM audit_events
          WHERE org_id IN (SELECT id FROM organizations) AND dt_last_modified < ?",
        [cutoff],
    )
}

struct EventRow {
    id: String,
    dt_created: i64,
    dt_last_modified: i64,
    actor_id: Option<String>,
    actor_kind: String,
    actor_name: String,
    action: String,
    record_type: String,
    record_id: Option<String>,
    record_email: Option<String>,
    client_address: Option<String>,
    user_agent: Option<String>,
    changes: String,
}

impl FromRow for EventRow {
    fn from_row(r: &Row) -> Result<Self> {
        Ok(Self {
            id: r.get("id")?,
            dt_created: r.get("dt_created")?,
            dt_last_modified: r.get("dt_last_modified")?,
            actor_id: r.get("actor_id")?,
            actor_kind: r.get("actor_kind")?,
            actor_name: r.get("actor_name")?,
            action: r.get("action")?,
            record_type: r.get("record_type")?,
            record_id: r.get("record_id")?,
            record_email: r.get("record_email")?,
            client_address: r.get("client_address")?,
            user_agent: r.get("user_agent")?,
            changes: r.get("changes")?,
        })
    }
}

impl Pageable for EventRow {
    // An event's stamp is when it was made too (`append`), and it never moves: one index
    // orders both the newest-first pages and the feed.
    const NEWEST_FIRST_BY: &'static str = "dt_last_modified";

    fn created_micros(&self) -> i64 {
        self.dt_last_modified
    }
    fn modified_micros(&self) -> i64 {
        self.dt_last_modified
    }
    fn id_text(&self) -> &str {
        &self.id
    }
}

impl EventRow {
    fn into_wire(self) -> Result<AuditEvent> {
        Ok(AuditEvent {
            id: db::uuid(&self.id)?,
            dt_created: db::time(self.dt_created)?,
            dt_last_modified: Some(db::time(self.dt_last_modified)?),
            actor_id: db::opt_uuid(self.actor_id.as_deref())?,
            actor_kind: self.actor_kind,
            actor_name: self.actor_name,
            action: self.action,
            record_type: self.record_type,
            record_id: db::opt_uuid(self.record_id.as_deref())?,
            record_email: self.record_email,
            client_address: self.client_address,
            user_agent: self.user_agent,
            changes: serde_json::from_str(&self.changes)?,
        })
    }
}
