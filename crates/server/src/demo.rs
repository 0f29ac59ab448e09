//! Demo data: two organisations with a placement catalogue, members and invitations in every
//! status, and three service users each (admin, helpdesk, readonly). Seeded only into an
//! empty database; the service users' secrets are new on every start, since only their
//! hashes are stored.

use std::collections::BTreeMap;

use crate::db::Conn;
use chrono::{DateTime, Duration, Utc};
use invitedesk_model::permission::managed;
use invitedesk_model::validate::{Placement, ValidNewInvitation};
use invitedesk_model::{AuditAction, FieldChange, Invitation, InvitationStatus, UserStatus};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{hash_secret, random_token};
use crate::clock::Clock;
use crate::db::{self, micros};
use crate::error::Result;
use crate::store::audit::{self, Actor, Event, RequestSource, Target};
use crate::store::invitations::{self, InvitationInsert};
use crate::store::users::{self, UserInsert};
use crate::store::{catalog, policies};
use crate::AppState;

/// The JSON line `--demo` prints.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoCredentials {
    pub base_url: String,
    pub organizations: Vec<DemoOrganization>,
    /// A person with an account, an Administrator member of every demo organisation, who
    /// signs in through the browser (their password is new on every seed, like the secrets).
    pub person: DemoPerson,
    /// A second person, an Administrator member of the first demo organisation only, with a
    /// Pending invitation to the second waiting for them ("my invitations", the bell).
    pub invited_person: DemoPerson,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoPerson {
    pub email: String,
    pub password: String,
}

/// The demo person's e-mail.
pub const DEMO_PERSON_EMAIL: &str = "ada.lovelace@people.invitedesk.test";

/// The invited demo person's e-mail.
pub const INVITED_PERSON_EMAIL: &str = "grace.hopper@people.invitedesk.test";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoOrganization {
    pub org_id: Uuid,
    pub name: String,
    /// `admin`, `helpdesk` and `readonly`.
    pub principals: BTreeMap<String, ClientCredentials>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientCredentials {
    pub access_key_id: String,
    pub api_secret: String,
}

struct OrgSpec {
    name: &'static str,
    domain: &'static str,
    businesses: &'static [(&'static str, &'static [AppSpec])],
}

struct AppSpec {
    name: &'static str,
    roles: &'static [&'static str],
    /// (name, seat limit, active members, pending invitations)
    subscriptions: &'static [(&'static str, i64, usize, usize)],
}

const ORGS: [OrgSpec; 2] = [
    OrgSpec {
        name: "Acme Robotics",
        domain: "acme.example",
        businesses: &[
            (
                "Acme Retail",
                &[AppSpec {
                    name: "Storefront",
                    roles: &["Admin", "Editor", "Viewer"],
                    subscriptions: &[("Storefront Pro", 10, 3, 2), ("Storefront Lite", 2, 2, 0)],
                }],
            ),
            (
                "Acme Labs",
                &[AppSpec {
                    name: "Telemetry",
                    roles: &["Engineer", "Analyst"],
                    subscriptions: &[("Telemetry Team", 3, 1, 1)],
                }],
            ),
        ],
    },
    OrgSpec {
        name: "Globex Logistics",
        domain: "globex.example",
        businesses: &[(
            "Globex Freight",
            &[AppSpec {
                name: "Dispatch",
                roles: &["Dispatcher", "Supervisor"],
                subscriptions: &[("Dispatch Standard", 5, 2, 1), ("Dispatch Trial", 1, 1, 0)],
            }],
        )],
    },
];

const PEOPLE: [(&str, &str); 24] = [
    ("Ada", "Lovelace"),
    ("Grace", "Hopper"),
    ("Alan", "Turing"),
    ("Katherine", "Johnson"),
    ("Edsger", "Dijkstra"),
    ("Barbara", "Liskov"),
    ("Donald", "Knuth"),
    ("Margaret", "Hamilton"),
    ("Dennis", "Ritchie"),
    ("Frances", "Allen"),
    ("Ken", "Thompson"),
    ("Radia", "Perlman"),
    ("John", "Backus"),
    ("Hedy", "Lamarr"),
    ("Tim", "Berners-Lee"),
    ("Annie", "Easley"),
    ("Claude", "Shannon"),
    ("Mary", "Jackson"),
    ("Niklaus", "Wirth"),
    ("Shafi", "Goldwasser"),
    ("Leslie", "Lamport"),
    ("Sophie", "Wilson"),
    ("Vint", "Cerf"),
    ("Joan", "Clarke"),
];

const SERVICE_USERS: [(&str, &str); 3] = [
    ("admin", managed::ADMINISTRATOR),
    ("helpdesk", managed::HELPDESK),
    ("readonly", managed::READ_ONLY),
];

/// Seeds an empty database, then gives every demo service user a new secret.
pub async fn seed(state: &AppState, base_url: &str) -> Result<DemoCredentials> {
    let clock = state.clock.clone();
    let organizations = state
        .db
        .write(move |tx| {
            let existing: i64 =
                tx.query_row("SELECT count(*) FROM organizations", (), |r| r.get(0))?;
            if existing == 0 {
                for (i, spec) in ORGS.iter().enumerate() {
                    Seeder {
                        conn: tx,
                        clock: &clock,
                        people: 0,
                    }
                    .organization(spec, i == 0)?;
                }
            }
            let person = account(tx, &clock, DEMO_PERSON_EMAIL, ("Ada", "Lovelace"))?;
            let invited = account(tx, &clock, INVITED_PERSON_EMAIL, ("Grace", "Hopper"))?;
            Ok((rotate_secrets(tx)?, person, invited))
        })
        .await?;
    let (organizations, person, invited_person) = organizations;
    state.callers.invalidate_all();
    Ok(DemoCredentials {
        base_url: base_url.to_owned(),
        organizations,
        person,
        invited_person,
    })
}

/// A demo person's account, with a new password.
fn account(
    conn: &Conn,
    clock: &Clock,
    email: &str,
    (first, last): (&str, &str),
) -> Result<DemoPerson> {
    let password = random_token();
    conn.execute(
        "INSERT INTO accounts (id, email, first_name, last_name, mobile, password_hash, dt_created)
         VALUES (?, ?, ?, ?, '+44 20 7946 0001', '', ?)
         ON CONFLICT (email) DO NOTHING",
        (
            Uuid::new_v4().to_string(),
            email,
            first,
            last,
            db::micros(clock.now()),
        ),
    )?;
    conn.execute(
        "UPDATE accounts SET password_hash = ? WHERE email = ?",
        (crate::password::hash_now(&password)?, email),
    )?;
    Ok(DemoPerson {
        email: email.to_owned(),
        password,
    })
}

fn rotate_secrets(conn: &Conn) -> Result<Vec<DemoOrganization>> {
    let orgs = conn.query(
        "SELECT id, name FROM organizations ORDER BY dt_created, name",
        (),
        |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
    )?;
    let mut result = Vec::new();
    for (org_id, name) in orgs {
        let mut principals = BTreeMap::new();
        for (user, _) in SERVICE_USERS {
            let (id, access_key_id): (String, String) = conn.query_row(
                "SELECT id, access_key_id FROM service_users WHERE org_id = ? AND name = ?",
                (&org_id, user),
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let api_secret = random_token();
            conn.execute(
                "UPDATE service_users SET secret_hash = ? WHERE id = ?",
                (hash_secret(&api_secret), &id),
            )?;
            conn.execute("DELETE FROM access_tokens WHERE principal_id = ?", [&id])?;
            principals.insert(
                user.to_owned(),
                ClientCredentials {
                    access_key_id,
                    api_secret,
                },
            );
        }
        result.push(DemoOrganization {
            org_id: db::uuid(&org_id)?,
            name,
            principals,
        });
    }
    Ok(result)
}

struct Seeder<'a, 'c> {
    conn: &'a Conn<'c>,
    clock: &'a Clock,
    /// The next entry of PEOPLE to use.
    people: usize,
}

impl Seeder<'_, '_> {
    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Seeds one organisation; the first has the invited person as a member, the others a
    /// Pending invitation for them.
    fn organization(mut self, spec: &OrgSpec, first: bool) -> Result<()> {
        let org_id = Uuid::new_v4();
        let now = micros(self.now());
        self.conn.execute(
            "INSERT INTO organizations (id, name, dt_created) VALUES (?, ?, ?)",
            (org_id.to_string(), spec.name, now),
        )?;
        let admin_policy = policies::insert(
            self.conn,
            org_id,
            managed::ADMINISTRATOR,
            true,
            &managed::administrator(),
            now,
        )?;
        let helpdesk_policy = policies::insert(
            self.conn,
            org_id,
            managed::HELPDESK,
            true,
            &managed::helpdesk(),
            now,
        )?;
        let read_policy = policies::insert(
            self.conn,
            org_id,
            managed::READ_ONLY,
            true,
            &managed::read_only(),
            now,
        )?;
        let admin = self.service_users(org_id, [admin_policy, helpdesk_policy, read_policy])?;
        self.member(
            org_id,
            admin,
            DEMO_PERSON_EMAIL,
            "Ada",
            "Lovelace",
            UserStatus::Active,
            Placement::default(),
            &[admin_policy],
        )?;
        self.invited_person(org_id, admin, admin_policy, first)?;
        let everyday = vec![read_policy];
        for (business_name, apps) in spec.businesses {
            let business =
                catalog::insert(self.conn, "businesses", org_id, None, business_name, None)?;
            for app in *apps {
                let app_id = catalog::insert(
                    self.conn,
                    "apps",
                    org_id,
                    Some(("business_id", business)),
                    app.name,
                    None,
                )?;
                let mut roles = Vec::new();
                for role in app.roles {
                    roles.push(catalog::insert(
                        self.conn,
                        "roles",
                        org_id,
                        Some(("app_id", app_id)),
                        role,
                        None,
                    )?);
                }
                for (name, limit, members, pending) in app.subscriptions {
                    let parent = Some(("app_id", app_id));
                    let subscription = catalog::insert(
                        self.conn,
                        "subscriptions",
                        org_id,
                        parent,
                        name,
                        Some(*limit),
                    )?;
                    let placement = Placement {
                        business_id: Some(business),
                        app_id: Some(app_id),
                        subscription_id: Some(subscription),
                        role_id: roles.first().copied(),
                    };
                    for i in 0..*members {
                        let status = UserStatus::Active;
                        let (email, first, last) = self.next_person(spec.domain);
                        self.member(
                            org_id, admin, &email, first, last, status, placement, &everyday,
                        )?;
                        if i == 0 {
                            let invitation =
                                self.invitation(&email, first, last, placement, &everyday, 30);
                            self.insert_invitation(
                                org_id,
                                admin,
                                invitation,
                                InvitationStatus::Accepted,
                                20,
                            )?;
                        }
                    }
                    for _ in 0..*pending {
                        let (email, first, last) = self.next_person(spec.domain);
                        let invitation =
                            self.invitation(&email, first, last, placement, &everyday, 25);
                        self.insert_invitation(
                            org_id,
                            admin,
                            invitation,
                            InvitationStatus::Pending,
                            5,
                        )?;
                    }
                }
            }
        }
        self.unplaced(org_id, admin, spec.domain, &everyday)
    }

    /// The invited person: a member here, or invited here (unplaced, so no seat moves).
    fn invited_person(
        &mut self,
        org_id: Uuid,
        admin: Uuid,
        policy: Uuid,
        member: bool,
    ) -> Result<()> {
        let (first, last) = ("Grace", "Hopper");
        let none = Placement::default();
        if member {
            let active = UserStatus::Active;
            return self.member(
                org_id,
                admin,
                INVITED_PERSON_EMAIL,
                first,
                last,
                active,
                none,
                &[policy],
            );
        }
        let invitation = self.invitation(INVITED_PERSON_EMAIL, first, last, none, &[policy], 14);
        self.insert_invitation(org_id, admin, invitation, InvitationStatus::Pending, 1)
    }

    /// Members without placement in the statuses the tables show, and invitations in every
    /// status, two of them already past their expiry.
    fn unplaced(
        &mut self,
        org_id: Uuid,
        admin: Uuid,
        domain: &str,
        policies: &[Uuid],
    ) -> Result<()> {
        let none = Placement::default();
        for status in [
            UserStatus::Inactive,
            UserStatus::Inactive,
            UserStatus::Active,
        ] {
            let (email, first, last) = self.next_person(domain);
            self.member(org_id, admin, &email, first, last, status, none, policies)?;
        }
        let statuses = [
            (InvitationStatus::Pending, 28, 2),
            (InvitationStatus::Declined, 20, 10),
            (InvitationStatus::Revoked, 20, 8),
            (InvitationStatus::Pending, -3, 33),
            (InvitationStatus::Pending, -10, 40),
        ];
        for (status, expires_in_days, created_days_ago) in statuses {
            let (email, first, last) = self.next_person(domain);
            let invitation = self.invitation(&email, first, last, none, policies, expires_in_days);
            self.insert_invitation(org_id, admin, invitation, status, created_days_ago)?;
        }
        Ok(())
    }

    fn next_person(&mut self, domain: &str) -> (String, &'static str, &'static str) {
        let (first, last) = PEOPLE[self.people % PEOPLE.len()];
        self.people += 1;
        let email = format!(
            "{}.{}@{domain}",
            first.to_lowercase(),
            last.to_lowercase().replace('-', "")
        );
        (email, first, last)
    }

    fn service_users(&mut self, org_id: Uuid, [admin, helpdesk, read]: [Uuid; 3]) -> Result<Uuid> {
        let mut admin_id = Uuid::nil();
        for ((name, _), policy) in SERVICE_USERS.iter().zip([admin, helpdesk, read]) {
            let id = Uuid::new_v4();
            self.conn.execute(
                "INSERT INTO service_users (id, org_id, name, access_key_id, secret_hash, permission_policy_ids, dt_created)
                 VALUES (?, ?, ?, ?, '', ?, ?)",
                (id.to_string(), org_id.to_string(), name, format!("demo-{name}-{}", &Uuid::new_v4().simple().to_string()[..12]), db::id_list_json(&[policy]), micros(self.now())),
            )?;
            if *name == "admin" {
                admin_id = id;
            }
        }
        Ok(admin_id)
    }

    #[allow(clippy::too_many_arguments)]
    fn member(
        &mut self,
        org_id: Uuid,
        admin: Uuid,
        email: &str,
        first: &str,
        last: &str,
        status: UserStatus,
        placement: Placement,
        policies: &[Uuid],
    ) -> Result<()> {
        let created = self.now() - Duration::days(60);
        let user = UserInsert {
            org_id,
            email: email.to_owned(),
            first_name: Some(first.to_owned()),
            last_name: Some(last.to_owned()),
            contact_number: Some("+44 20 7946 0000".into()),
            status,
            permission_policy_ids: policies.to_vec(),
            dt_end_access: None,
            placement,
            created_by: admin.to_string(),
            created,
            stamp: self.conn.stamp(self.clock, org_id)?,
        };
        users::insert(self.conn, user)?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn invitation(
        &self,
        email: &str,
        first: &str,
        last: &str,
        placement: Placement,
        policies: &[Uuid],
        expires_in_days: i64,
    ) -> ValidNewInvitation {
        ValidNewInvitation {
            email: email.to_owned(),
            first_name: Some(first.to_owned()),
            last_name: Some(last.to_owned()),
            contact_number: Some("+44 20 7946 0018".into()),
            permission_policy_ids: policies.to_vec(),
            dt_end_access: None,
            dt_expiry: self.now() + Duration::days(expires_in_days),
            existing_user: false,
            placement,
        }
    }

    fn insert_invitation(
        &mut self,
        org_id: Uuid,
        admin: Uuid,
        invitation: ValidNewInvitation,
        status: InvitationStatus,
        created_days_ago: i64,
    ) -> Result<()> {
        let sent = self.now() - Duration::days(created_days_ago);
        let insert = InvitationInsert {
            org_id,
            invitation,
            status,
            principal_id: admin,
            created: sent,
            stamp: self.conn.stamp(self.clock, org_id)?,
            dt_last_sent: Some(sent),
            token_hash: None,
            delivery_status: None,
        };
        let row = invitations::insert(self.conn, insert)?;
        self.invitation_story(org_id, admin, row.into_wire(self.now())?, sent)
    }

    /// What the trail would hold had the invitation been sent `sent` and answered since:
    /// the Activity tab and the details panel's history have a story from the first launch.
    fn invitation_story(
        &self,
        org_id: Uuid,
        admin: Uuid,
        invitation: Invitation,
        sent: DateTime<Utc>,
    ) -> Result<()> {
        let source = RequestSource::default();
        let email = invitation.email.clone().unwrap_or_default();
        let event = |actor: Actor, action: AuditAction, changes: Vec<FieldChange>| Event {
            org_id,
            actor,
            action,
            target: Target {
                id: Some(invitation.id),
                email: Some(email.clone()),
            },
            source: &source,
            changes,
        };
        let by_admin = || Actor {
            id: Some(admin),
            kind: "serviceUser",
            name: SERVICE_USERS[0].0.to_owned(),
        };
        let mut created = invitation.clone();
        created.status = Some(InvitationStatus::Pending);
        created.accepted = created.accepted.map(|_| false);
        let changes = audit::changes_between(None::<&Invitation>, &created)?;
        audit::append_as_of(
            self.conn,
            sent,
            event(by_admin(), AuditAction::InvitationCreated, changes),
        )?;
        let (actor, action, after_days) = match invitation.status {
            Some(InvitationStatus::Revoked) => (by_admin(), AuditAction::InvitationRevoked, 2),
            Some(InvitationStatus::Declined) => (
                Actor::invitee(invitation.id, &email),
                AuditAction::InvitationDeclined,
                1,
            ),
            Some(InvitationStatus::Accepted) => (
                Actor::invitee(invitation.id, &email),
                AuditAction::InvitationAccepted,
                1,
            ),
            _ => return Ok(()),
        };
        let status = FieldChange {
            field: "status".into(),
            old: json!("Pending"),
            new: json!(invitation.status),
        };
        let answered = sent + Duration::days(after_days);
        audit::append_as_of(self.conn, answered, event(actor, action, vec![status]))
    }
}

/// Adds `count` Pending invitations to an organisation in one statement, for benchmarks and
/// tests that need volume (100k in about a second). Each has its own e-mail, name, creation
/// time and modification stamp, and no invite link.
pub async fn bulk_invitations(state: &AppState, org_id: Uuid, count: u32) -> Result<()> {
    let clock = state.clock.clone();
    state
        .db
        .write(move |tx| {
            let (admin, policy): (String, String) = tx.query_row(
                "SELECT s.id, s.permission_policy_ids FROM service_users s WHERE s.org_id = ? AND s.name = 'admin'",
                [org_id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let now = clock.now();
            let first_stamp = match tx.is_postgres() {
                true => micros(tx.stamp(&clock, org_id)?),
                false => micros(clock.stamps(count)),
            };
            let (numbers, new_id) = match tx.is_postgres() {
                true => (
                    "SELECT i FROM generate_series(0, CAST(?1 AS BIGINT) - 1) AS n(i)",
                    "gen_random_uuid()::text",
                ),
                false => (
                    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
                     SELECT i FROM n",
                    "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||
                        substr(lower(hex(randomblob(2))), 2) || '-a' || substr(lower(hex(randomblob(2))), 2) ||
                        '-' || lower(hex(randomblob(6)))",
                ),
            };
            tx.execute(
                &format!("INSERT INTO invitations (id, org_id, email, first_name, last_name, contact_number,
                    permission_policy_ids, dt_expiry, inviting_principal_id, status, dt_created,
                    dt_last_modified, created_by, last_modified_by, search_text)
                 SELECT {new_id},
                    ?2, 'bulk' || i || '@example.com', 'Bulk', 'Person ' || i, '+1 555 0100', ?3,
                    CAST(?4 AS BIGINT) + (i % 30) * 86400000000, ?5, 'Pending',
                    CAST(?6 AS BIGINT) - i * 1000, CAST(?7 AS BIGINT) + i, ?5, ?5,
                    'bulk' || i || '@example.com bulk person ' || i
                 FROM ({numbers}) AS numbers"),
                crate::params![
                    count,
                    org_id.to_string(),
                    policy,
                    micros(now + Duration::days(1)),
                    admin,
                    micros(now),
                    first_stamp,
                ],
            )?;
            Ok(())
        })
        .await?;
    // So many rows at once: the planner is told about them now rather than whenever
    // autovacuum gets to it (SQLite's planner needs no statistics for these queries).
    if state.db.is_postgres() {
        state
            .db
            .read(|c| c.execute_batch("ANALYZE invitations"))
            .await?;
    }
    Ok(())
}
