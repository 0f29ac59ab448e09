//! What an invitation e-mail says, as plain text and HTML: the organisation, who invited, the
//! access offered, when the invite expires, and the accept link.

use crate::db::Conn;
use chrono::{DateTime, Utc};
use invitedesk_model::validate::clean_text;
use maud::{html, DOCTYPE};
use uuid::Uuid;

use crate::db::{opt_time, time};
use crate::error::{Error, Result};

/// A message waiting in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Everything an invitation e-mail tells its reader.
#[derive(Debug, Clone)]
pub struct InvitationFacts {
    pub email: String,
    pub first_name: Option<String>,
    pub organization: String,
    pub inviter: String,
    pub app: Option<String>,
    pub subscription: Option<String>,
    pub role: Option<String>,
    pub dt_expiry: DateTime<Utc>,
    pub dt_end_access: Option<DateTime<Utc>>,
}

impl InvitationFacts {
    pub fn load(conn: &Conn, invitation_id: Uuid) -> Result<Self> {
        let mut statement = conn.prepare_cached(
            "SELECT i.email, i.first_name, o.name, coalesce(su.name, 'an administrator'),
                    a.name, s.name, r.name, i.dt_expiry, i.dt_end_access
             FROM invitations i
             JOIN organizations o ON o.id = i.org_id
             LEFT JOIN service_users su ON su.id = i.inviting_principal_id
             LEFT JOIN apps a ON a.id = i.app_id
             LEFT JOIN subscriptions s ON s.id = i.subscription_id
             LEFT JOIN roles r ON r.id = i.role_id
             WHERE i.id = ?",
        )?;
        let row = statement.query_row([invitation_id.to_string()], |r| {
            Ok((
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
                (r.get(4)?, r.get(5)?, r.get(6)?),
                (r.get::<i64>(7)?, r.get::<Option<i64>>(8)?),
            ))
        })?;
        let ((email, first_name, organization, inviter), (app, subscription, role), (expiry, end)) =
            row;
        Ok(Self {
            email,
            first_name,
            organization,
            inviter,
            app,
            subscription,
            role,
            dt_expiry: time(expiry)?,
            dt_end_access: opt_time(end)?,
        })
    }
}

fn date(time: DateTime<Utc>) -> String {
    time.format("%-d %B %Y, %H:%M UTC").to_string()
}

/// The invitation e-mail with its accept link.
pub fn invitation(facts: &InvitationFacts, link: &str) -> Result<Mail> {
    let subject = format!(
        "{} invites you to join {}",
        facts.inviter, facts.organization
    );
    // Every value that reaches a header was checked at its own input; check the header whole.
    clean_text("subject", &subject).map_err(Error::field)?;
    clean_text("email", &facts.email).map_err(Error::field)?;
    let greeting = facts
        .first_name
        .as_deref()
        .map(|n| format!("Hello {n},"))
        .unwrap_or_else(|| "Hello,".into());
    let access: Vec<String> = [
        facts.app.as_deref().map(|a| format!("App: {a}")),
        facts
            .subscription
            .as_deref()
            .map(|s| format!("Subscription: {s}")),
        facts.role.as_deref().map(|r| format!("Role: {r}")),
        Some(match facts.dt_end_access {
            Some(end) => format!("Access ends: {}", date(end)),
            None => "Access ends: no end date".into(),
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    let expires = date(facts.dt_expiry);
    let text = format!(
        "{greeting}\n\n{} has invited you to join {} on InviteDesk.\n\n{}\n\nAccept or decline here:\n{link}\n\n\
         This invitation expires on {expires}. If you did not expect it, you can ignore this e-mail.\n",
        facts.inviter,
        facts.organization,
        access.join("\n"),
    );
    let html = html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (subject) } }
            body style="font-family: sans-serif; color: #1a1a1a; max-width: 36rem; margin: auto; padding: 1rem" {
                p { (greeting) }
                p { (facts.inviter) " has invited you to join " strong { (facts.organization) } " on InviteDesk." }
                ul { @for line in &access { li { (line) } } }
                p {
                    a href=(link) style="display: inline-block; background: #0b57d0; color: #fff; padding: .6rem 1.2rem; border-radius: .3rem; text-decoration: none" {
                        "Accept or decline"
                    }
                }
                p { "Or open this link: " a href=(link) { (link) } }
                p style="color: #555" { "This invitation expires on " (expires) ". If you did not expect it, you can ignore this e-mail." }
            }
        }
    }
    .into_string();
    Ok(Mail {
        recipient: facts.email.clone(),
        subject,
        text,
        html,
    })
}

/// Tells a member their access to an organisation is restored.
/// The "Forgot your password?" mail: its link is single-use and lives `minutes`.
pub fn password_reset(email: &str, link: &str, minutes: i64) -> Result<Mail> {
    let subject = "Reset your InviteDesk password".to_owned();
    clean_text("email", email).map_err(Error::field)?;
    let text = format!("Hello,\n\nSomeone (we hope you) asked to reset the password of your InviteDesk account. Choose a new one within {minutes} minutes:\n{link}\n\nIf it was not you, ignore this message: your password stays as it is.\n");
    let html = html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (subject) } }
            body style="font-family: sans-serif; color: #1a1a1a; max-width: 36rem; margin: auto; padding: 1rem" {
                p { "Hello," }
                p { "Someone (we hope you) asked to reset the password of your InviteDesk account. Choose a new one within " (minutes) " minutes:" }
                p { a href=(link) { "Choose a new password" } }
                p { "If it was not you, ignore this message: your password stays as it is." }
            }
        }
    }
    .into_string();
    Ok(Mail {
        recipient: email.to_owned(),
        subject,
        text,
        html,
    })
}

pub fn access_restored(
    email: &str,
    first_name: Option<&str>,
    organization: &str,
    sign_in_url: &str,
) -> Result<Mail> {
    let subject = format!("Your access to {organization} is restored");
    clean_text("subject", &subject).map_err(Error::field)?;
    clean_text("email", email).map_err(Error::field)?;
    let greeting = first_name
        .map(|n| format!("Hello {n},"))
        .unwrap_or_else(|| "Hello,".into());
    let text = format!("{greeting}\n\nYour access to {organization} has been restored. You can sign in again:\n{sign_in_url}\n");
    let html = html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (subject) } }
            body style="font-family: sans-serif; color: #1a1a1a; max-width: 36rem; margin: auto; padding: 1rem" {
                p { (greeting) }
                p { "Your access to " strong { (organization) } " has been restored." }
                p { a href=(sign_in_url) { "Sign in" } }
            }
        }
    }
    .into_string();
    Ok(Mail {
        recipient: email.to_owned(),
        subject,
        text,
        html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> InvitationFacts {
        InvitationFacts {
            email: "ada@example.com".into(),
            first_name: Some("Ada <script>".into()),
            organization: "Acme & Co".into(),
            inviter: "admin".into(),
            app: Some("Storefront".into()),
            subscription: Some("Storefront Pro".into()),
            role: None,
            dt_expiry: "2026-12-22T10:00:00Z".parse().unwrap(),
            dt_end_access: None,
        }
    }

    #[test]
    fn the_mail_names_the_organisation_the_access_the_expiry_and_the_link() {
        let mail = invitation(&facts(), "https://access.example.com/invite/abc").unwrap();
        assert_eq!(mail.subject, "admin invites you to join Acme & Co");
        for part in [&mail.text, &mail.html] {
            assert!(part.contains("Storefront Pro"));
            assert!(part.contains("22 December 2026, 10:00 UTC"));
            assert!(part.contains("https://access.example.com/invite/abc"));
        }
        assert!(
            mail.html.contains("Acme &amp; Co"),
            "HTML escapes what it shows"
        );
        assert!(!mail.html.contains("<script>"));
    }

    #[test]
    fn a_line_break_never_reaches_a_header() {
        let mut bad = facts();
        bad.organization = "Acme\r\nBcc: victim@example.com".into();
        assert!(invitation(&bad, "https://x/invite/abc").is_err());
    }
}
