//! The sign-in pages as HTML (maud), in the invitee pages' look: e-mail and password, the
//! choice of organisation, and the fixed pages for what cannot go on. Drawing only.

use invitedesk_model::validate::FieldError;
use maud::{html, Markup, PreEscaped};

use super::request::AuthorizeRequest;
use crate::http::invite_pages::templates::{field, layout, notice};
use crate::store::sign_in::Membership;

/// The authorization request, carried unchanged through every form.
fn carried(request: &AuthorizeRequest, csrf: &str) -> Markup {
    html! {
        input type="hidden" name="csrf" value=(csrf);
        input type="hidden" name="response_type" value=(request.response_type);
        input type="hidden" name="client_id" value=(request.client_id);
        input type="hidden" name="redirect_uri" value=(request.redirect_uri);
        input type="hidden" name="state" value=(request.state);
        input type="hidden" name="code_challenge" value=(request.code_challenge);
        input type="hidden" name="code_challenge_method" value=(request.code_challenge_method);
        input type="hidden" name="org" value=(request.org);
    }
}

pub fn sign_in(
    request: &AuthorizeRequest,
    csrf: &str,
    email: &str,
    errors: &[FieldError],
) -> Markup {
    layout(
        "Sign in",
        html! {
            h1 { "Sign in to InviteDesk" }
            p { "Use the e-mail and password of the account you made when you accepted an invitation." }
            form method="post" action="/oauth/authorize" {
                (carried(request, csrf))
                (field("email", "E-mail", "email", email, "username", errors))
                (field("password", "Password", "password", "", "current-password", errors))
                button type="submit" { "Sign in" }
            }
            p { a href="/account/password/forgot" { "Forgot your password?" } }
        },
    )
}

pub fn choose_organization(
    request: &AuthorizeRequest,
    csrf: &str,
    ticket: &str,
    memberships: &[Membership],
) -> Markup {
    layout(
        "Choose an organisation",
        html! {
            h1 { "Which organisation?" }
            p { "You are a member of several. Choose the one to sign in to." }
            @for membership in memberships {
                form method="post" action="/oauth/authorize/organization" {
                    (carried(request, csrf))
                    input type="hidden" name="ticket" value=(ticket);
                    input type="hidden" name="chosen" value=(membership.org_id.to_string());
                    button type="submit" { (membership.organization) }
                }
            }
        },
    )
}

pub fn cannot_continue(sentence: &str) -> Markup {
    notice("Sign-in cannot continue", sentence)
}

pub fn no_membership() -> Markup {
    notice(
        "No organisation to sign in to",
        "Your account is not an active member of any organisation here (or not of the one the app asked for). Ask an administrator to invite you.",
    )
}

pub fn must_wait(seconds: u64) -> Markup {
    notice(
        "Too many attempts",
        &format!("Too many sign-in attempts. Try again in {seconds} seconds."),
    )
}

pub fn page_expired() -> Markup {
    notice(
        "This page has expired",
        "Go back to InviteDesk and sign in again.",
    )
}

pub fn second_factor(
    request: &AuthorizeRequest,
    csrf: &str,
    ticket: &str,
    errors: &[FieldError],
) -> Markup {
    layout(
        "Second step",
        html! {
            h1 { "Enter your authenticator code" }
            p { "Open your authenticator app and enter the 6-digit code for InviteDesk, or one of your recovery codes." }
            form method="post" action="/oauth/authorize/second-factor" {
                (carried(request, csrf))
                input type="hidden" name="ticket" value=(ticket);
                (field("code", "Code", "text", "", "one-time-code", errors))
                button type="submit" { "Continue" }
            }
        },
    )
}

/// What enrolment shows: the QR code, the same secret as text, and the confirming code.
pub struct Enrolment<'a> {
    pub chosen: &'a str,
    pub secret_text: &'a str,
    pub qr_svg: &'a str,
}

pub fn enrol(
    request: &AuthorizeRequest,
    csrf: &str,
    ticket: &str,
    enrolment: &Enrolment,
    errors: &[FieldError],
) -> Markup {
    layout(
        "Set up your authenticator",
        html! {
            h1 { "Set up your authenticator" }
            p { "Your organisation asks for a second factor. Scan this code with an authenticator app (or type the key below), then enter the 6-digit code it shows." }
            figure.qr { (PreEscaped(enrolment.qr_svg)) }
            p { "Key: " code { (enrolment.secret_text) } }
            form method="post" action="/oauth/authorize/enrol" {
                (carried(request, csrf))
                input type="hidden" name="ticket" value=(ticket);
                input type="hidden" name="chosen" value=(enrolment.chosen);
                (field("code", "Code from the app", "text", "", "one-time-code", errors))
                button type="submit" { "Confirm" }
            }
        },
    )
}

pub fn recovery_codes(
    request: &AuthorizeRequest,
    csrf: &str,
    ticket: &str,
    chosen: &str,
    codes: &[String],
) -> Markup {
    layout(
        "Your recovery codes",
        html! {
            h1 { "Keep these recovery codes" }
            p { "Each works once, in place of a code from your authenticator, if you lose it. They are shown only now." }
            ul.codes { @for code in codes { li { code { (code) } } } }
            form method="post" action="/oauth/authorize/organization" {
                (carried(request, csrf))
                input type="hidden" name="ticket" value=(ticket);
                input type="hidden" name="chosen" value=(chosen);
                button type="submit" { "I have kept them: continue" }
            }
        },
    )
}
