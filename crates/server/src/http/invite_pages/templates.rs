//! The invitee's pages as HTML (maud): the invitation with its forms, and the fixed pages for
//! every outcome. Drawing only: no request, no database.

use invitedesk_model::validate::FieldError;
use maud::{html, Markup, DOCTYPE};

use crate::store::acceptance::OpenInvitation;
use crate::store::otp;

/// Where the invitee is in accepting.
pub enum Step {
    Start,
    /// The code was sent to this number; names as given.
    CodeSent {
        first_name: String,
        last_name: String,
        mobile: String,
    },
}

pub fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · InviteDesk" }
                link rel="stylesheet" href="/invite/assets/style.css";
            }
            body { main { (body) } }
        }
    }
}

/// A page that is only a heading and a sentence.
pub fn notice(title: &str, sentence: &str) -> Markup {
    layout(title, html! { h1 { (title) } p { (sentence) } })
}

/// The one answer for every token that is not live.
pub fn invalid() -> Markup {
    notice(
        "This invitation link is not valid",
        "It may have expired, been used already, or been replaced by a newer one. Ask the person who invited you to send it again.",
    )
}

pub fn locked(open: &OpenInvitation) -> Markup {
    notice(
        "This invitation is locked",
        &format!(
            "There were too many wrong codes or passwords. Ask {} at {} to send the invitation again.",
            open.facts.inviter, open.facts.organization
        ),
    )
}

pub fn too_many_requests() -> Markup {
    notice(
        "Too many attempts",
        "Too many attempts from your network. Wait a minute and try again.",
    )
}

pub fn account_must_wait(seconds: i64) -> Markup {
    notice(
        "Too many wrong passwords",
        &format!("Too many wrong passwords for this account. Try again in {seconds} seconds."),
    )
}

pub fn page_expired() -> Markup {
    notice(
        "This page has expired",
        "Open the link from your e-mail again.",
    )
}

pub fn failure() -> Markup {
    notice("Something went wrong", "Please try again in a moment.")
}

pub fn welcome(open: &OpenInvitation) -> Markup {
    layout(
        "Welcome",
        html! {
            h1 { "Welcome to " (open.facts.organization) }
            p { "You have accepted the invitation. You can now sign in with " strong { (open.facts.email) } "." }
        },
    )
}

pub fn declined() -> Markup {
    notice(
        "Invitation declined",
        "Thank you for letting us know. The link no longer works.",
    )
}

pub fn seats_gone(open: &OpenInvitation) -> Markup {
    notice(
        "No seat left",
        &format!(
            "Every seat of this subscription is now taken, so the invitation cannot be accepted. Ask {} at {} to free one and send the invitation again.",
            open.facts.inviter, open.facts.organization
        ),
    )
}

pub fn already_member(open: &OpenInvitation) -> Markup {
    layout(
        "Already a member",
        html! { h1 { "You are already a member of " (open.facts.organization) } },
    )
}

/// The text message that carries a code.
pub fn code_message(code: &str, organization: &str) -> String {
    format!(
        "{code} is your InviteDesk code to join {organization}. It expires in {}.",
        otp::lifetime_text()
    )
}

fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

/// A labelled input with its error beside it, tied together for screen readers.
pub(crate) fn field(
    name: &str,
    label: &str,
    kind: &str,
    value: &str,
    autocomplete: &str,
    errors: &[FieldError],
) -> Markup {
    let error = error_for(errors, name);
    let error_id = format!("{name}-error");
    html! {
        div.field {
            label for=(name) { (label) }
            input id=(name) name=(name) type=(kind) value=(value) autocomplete=(autocomplete) required
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())];
            @if let Some(message) = error { p.error id=(error_id) role="alert" { (message) } }
        }
    }
}

/// The form's name for a field the rules name by its wire name.
fn form_field(wire_name: &str) -> &str {
    match wire_name {
        "firstName" => "first_name",
        "lastName" => "last_name",
        "contactNumber" => "mobile",
        other => other,
    }
}

/// The invitation, what it grants, and the form for where the invitee is.
pub fn invitation_page(
    open: &OpenInvitation,
    token: &str,
    csrf: &str,
    step: &Step,
    errors: &[FieldError],
) -> Markup {
    let facts = &open.facts;
    let expires = facts.dt_expiry.format("%-d %B %Y, %H:%M UTC").to_string();
    let access_end = facts
        .dt_end_access
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_else(|| "No end date".into());
    let errors: Vec<FieldError> = errors
        .iter()
        .map(|e| FieldError {
            field: form_field(&e.field).into(),
            ..e.clone()
        })
        .collect();
    layout(
        &format!("Join {}", facts.organization),
        html! {
            h1 { "Join " (facts.organization) }
            p { (facts.inviter) " has invited " strong { (facts.email) } " to " (facts.organization) "." }
            dl {
                @if let Some(app) = &facts.app { dt { "App" } dd { (app) } }
                @if let Some(subscription) = &facts.subscription { dt { "Subscription" } dd { (subscription) } }
                @if let Some(role) = &facts.role { dt { "Role" } dd { (role) } }
                dt { "Permissions" } dd { (open.policies.join(", ")) }
                dt { "Access ends" } dd { (access_end) }
                dt { "This invitation expires" } dd { (expires) }
            }
            @if open.account.is_some() {
                h2 { "Accept by signing in" }
                form method="post" action={ "/invite/" (token) "/accept" } {
                    input type="hidden" name="csrf" value=(csrf);
                    (field("password", "Your InviteDesk password", "password", "", "current-password", &errors))
                    button type="submit" { "Sign in and accept" }
                }
            } @else {
                @match step {
                    Step::Start => {
                        h2 { "Accept" }
                        p { "We will send a code to your mobile number to confirm it is yours." }
                        form method="post" action={ "/invite/" (token) "/code" } {
                            input type="hidden" name="csrf" value=(csrf);
                            (field("first_name", "First name", "text", facts.first_name.as_deref().unwrap_or(""), "given-name", &errors))
                            (field("last_name", "Last name", "text", open.last_name.as_deref().unwrap_or(""), "family-name", &errors))
                            (field("mobile", "Mobile number", "tel", "", "tel", &errors))
                            button type="submit" { "Send me a code" }
                        }
                    }
                    Step::CodeSent { first_name, last_name, mobile } => {
                        h2 { "Accept" }
                        p role="status" { "We sent a 6-digit code to " (mobile) ". It expires in " (otp::lifetime_text()) "." }
                        form method="post" action={ "/invite/" (token) "/accept" } {
                            input type="hidden" name="csrf" value=(csrf);
                            input type="hidden" name="first_name" value=(first_name);
                            input type="hidden" name="last_name" value=(last_name);
                            input type="hidden" name="mobile" value=(mobile);
                            (field("code", "Code from the text message", "text", "", "one-time-code", &errors))
                            (field("password", "Choose a password (at least 12 characters, hard to guess)", "password", "", "new-password", &errors))
                            @if let Some(message) = error_for(&errors, "first_name").or(error_for(&errors, "last_name")).or(error_for(&errors, "mobile")) {
                                p.error role="alert" { (message) }
                            }
                            button type="submit" { "Accept the invitation" }
                        }
                    }
                }
            }
            form.decline method="post" action={ "/invite/" (token) "/decline" } {
                input type="hidden" name="csrf" value=(csrf);
                button.secondary type="submit" { "Decline" }
            }
        },
    )
}
