//! The invitee's pages against an attacker: one-time codes limited per invitation, per number
//! and per organisation; failed codes and passwords counted for good; forms signed by the
//! server; every field checked again; guessable passwords refused; limits keyed on the real
//! client behind a trusted proxy only.

use invitedesk_model::{Invitation, NewInvitation};
use reqwest::StatusCode;

use crate::accept::{
    accept_as_new_person, app_with_mail, invite, invited_through_mail_file, last_code, Invitee,
    Page, MOBILE, PASSWORD,
};
use crate::helpers::{spawn_app, spawn_app_with, TestApp};
use crate::smtp_sink::invite_token;

async fn ask_code(invitee: &mut Invitee, mobile: &str) -> Page {
    invitee
        .post(
            "code",
            &[
                ("first_name", "Grace"),
                ("last_name", "Hopper"),
                ("mobile", mobile),
            ],
        )
        .await
}

async fn try_code(invitee: &mut Invitee, mobile: &str, code: &str) -> Page {
    invitee
        .post(
            "accept",
            &[
                ("first_name", "Grace"),
                ("last_name", "Hopper"),
                ("mobile", mobile),
                ("code", code),
                ("password", PASSWORD),
            ],
        )
        .await
}

fn wrong_code(right: &str) -> &'static str {
    if right == "000000" {
        "111111"
    } else {
        "000000"
    }
}

#[tokio::test]
async fn codes_go_to_at_most_three_numbers_per_invitation() {
    let app = spawn_app().await;
    let mut invitee = invited_through_mail_file(&app, "numbers@example.com").await;
    for mobile in ["+44 7700 900001", "+44 7700 900002", "+44 7700 900003"] {
        assert_eq!(ask_code(&mut invitee, mobile).await.status, StatusCode::OK);
    }
    // The same number in another spelling is one of the three.
    assert_eq!(
        ask_code(&mut invitee, "+447700900001").await.status,
        StatusCode::OK
    );
    let fourth = ask_code(&mut invitee, "+44 7700 900004").await;
    assert_eq!(fourth.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(fourth.html.contains("gone to 3 numbers"), "{}", fourth.html);
    // Days later, after the purge, the three are still the only ones.
    app.server.state.clock.advance(chrono::Duration::days(2));
    invitedesk_server::forget_expired(&app.server.state)
        .await
        .unwrap();
    let later = ask_code(&mut invitee, "+44 7700 900005").await;
    assert_eq!(
        later.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        later.html
    );
    assert!(later.html.contains("gone to 3 numbers"), "{}", later.html);
    assert!(!app.dir.path().join("mail/sms/447700900004.txt").exists());
}

#[tokio::test]
async fn an_invitation_gets_at_most_five_codes_an_hour() {
    let app = spawn_app().await;
    let mut invitee = invited_through_mail_file(&app, "hourly@example.com").await;
    for _ in 0..5 {
        assert_eq!(ask_code(&mut invitee, MOBILE).await.status, StatusCode::OK);
    }
    let sixth = ask_code(&mut invitee, MOBILE).await;
    assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(sixth.html.contains("in the last hour"), "{}", sixth.html);
}

#[tokio::test]
async fn a_number_gets_at_most_five_codes_a_day_across_invitations() {
    let app = spawn_app().await;
    let victim = "+44 7700 900999";
    for (email, codes) in [("one@example.com", 3), ("two@example.com", 2)] {
        let mut invitee = invited_through_mail_file(&app, email).await;
        for _ in 0..codes {
            assert_eq!(ask_code(&mut invitee, victim).await.status, StatusCode::OK);
        }
    }
    let mut third = invited_through_mail_file(&app, "three@example.com").await;
    let refused = ask_code(&mut third, victim).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        refused.html.contains("to this number today"),
        "{}",
        refused.html
    );
    let sent = std::fs::read_to_string(app.dir.path().join("mail/sms/447700900999.txt")).unwrap();
    assert_eq!(sent.lines().count(), 5);
}

#[tokio::test]
async fn an_organisations_hourly_sms_budget_stops_codes_with_a_clear_page() {
    let app = spawn_app_with(|c| c.org_sms_per_hour = 2).await;
    let mut first = invited_through_mail_file(&app, "first@example.com").await;
    assert_eq!(
        ask_code(&mut first, "+1 555 0100").await.status,
        StatusCode::OK
    );
    assert_eq!(
        ask_code(&mut first, "+1 555 0101").await.status,
        StatusCode::OK
    );
    let mut second = invited_through_mail_file(&app, "second@example.com").await;
    let refused = ask_code(&mut second, "+1 555 0102").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.html.contains("try again later"), "{}", refused.html);
}

#[tokio::test]
async fn a_new_code_keeps_the_failures_and_ten_lock_the_link_until_it_is_resent() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created: Invitation = admin
        .invite(&admin.new_person("guesser@example.com").await)
        .await
        .ok();
    admin.delivered(created.id).await;
    let mut invitee = Invitee::new(&app, &invite_token(&app.newest_mail()));
    invitee.open().await;
    ask_code(&mut invitee, MOBILE).await;
    let wrong = wrong_code(&last_code(&app, MOBILE));
    for _ in 0..5 {
        let page = try_code(&mut invitee, MOBILE, wrong).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.html);
    }
    // A fresh code brings fresh tries of that code, not of the invitation.
    assert_eq!(ask_code(&mut invitee, MOBILE).await.status, StatusCode::OK);
    let right = last_code(&app, MOBILE);
    let wrong = wrong_code(&right);
    for _ in 0..4 {
        let page = try_code(&mut invitee, MOBILE, wrong).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.html);
    }
    let tenth = try_code(&mut invitee, MOBILE, wrong).await;
    assert_eq!(tenth.status, StatusCode::LOCKED, "{}", tenth.html);
    assert!(tenth.html.contains("This invitation is locked"));
    assert_eq!(
        try_code(&mut invitee, MOBILE, &right).await.status,
        StatusCode::LOCKED,
        "the right code no longer helps"
    );
    assert_eq!(invitee.open().await.status, StatusCode::LOCKED);
    assert!(admin.users("?search=guesser@").await.data.is_empty());

    admin
        .action(&format!("/invitations/{}/resend", created.id))
        .await
        .ok::<Invitation>();
    admin.delivered(created.id).await;
    let mut again = Invitee::new(&app, &invite_token(&app.newest_mail()));
    assert_eq!(again.open().await.status, StatusCode::OK);
    let page = accept_as_new_person(&app, &mut again).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
}

#[tokio::test]
async fn an_accounts_wrong_passwords_back_off_exponentially() {
    let (app, sink) = app_with_mail().await;
    let acme = app.admin().await;
    let (_, token) = invite(&acme, &sink, &acme.new_person("member@example.com").await).await;
    accept_as_new_person(&app, &mut Invitee::new(&app, &token)).await;
    let globex = app.session(1, "admin").await;
    let request = NewInvitation {
        existing_user: true,
        ..globex.new_person("member@example.com").await
    };
    let (_, token) = invite(&globex, &sink, &request).await;
    let mut invitee = Invitee::new(&app, &token);
    invitee.open().await;
    // No code is sent for a link that an account accepts by signing in.
    let no_code = ask_code(&mut invitee, "+44 7700 900321").await;
    assert_eq!(no_code.status, StatusCode::BAD_REQUEST, "{}", no_code.html);
    assert!(!app.dir.path().join("mail/sms/447700900321.txt").exists());
    for _ in 0..4 {
        let page = invitee
            .post("accept", &[("password", "not the password")])
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.html);
    }
    let waiting = invitee.post("accept", &[("password", PASSWORD)]).await;
    assert_eq!(
        waiting.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        waiting.html
    );
    assert!(waiting.html.contains("Too many wrong passwords"));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let welcomed = invitee.post("accept", &[("password", PASSWORD)]).await;
    assert!(
        welcomed.html.contains("Welcome to Globex Logistics"),
        "{}",
        welcomed.html
    );
}

#[tokio::test]
async fn a_csrf_field_is_valid_only_as_the_server_signed_it_for_this_link() {
    let app = spawn_app().await;
    let mut mine = invited_through_mail_file(&app, "mine@example.com").await;
    // The cookie's own value, as a plain double-submit takes it, is refused.
    let cookie_value = mine.cookie.clone().unwrap();
    mine.csrf = cookie_value.split_once('=').unwrap().1.to_owned();
    let forged = ask_code(&mut mine, MOBILE).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.html);
    // A field signed for another invitation's page does not work on this one.
    let mut other = invited_through_mail_file(&app, "other@example.com").await;
    let mut mine = invited_through_mail_file(&app, "mine2@example.com").await;
    mine.cookie = other.cookie.clone();
    mine.csrf = other.csrf.clone();
    assert_eq!(
        ask_code(&mut mine, MOBILE).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(ask_code(&mut other, MOBILE).await.status, StatusCode::OK);
}

#[tokio::test]
async fn over_https_the_csrf_cookie_is_host_prefixed_and_secure() {
    let app = spawn_app_with(|c| c.public_url = Some("https://access.example.com".into())).await;
    let admin = app.admin().await;
    let created: Invitation = admin
        .invite(&admin.new_person("secure@example.com").await)
        .await
        .ok();
    admin.delivered(created.id).await;
    let token = invite_token(&app.newest_mail());
    let response = reqwest::get(format!("{}/invite/{token}", app.base_url()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("__Host-invite_csrf="), "{cookie}");
    assert!(
        cookie.contains("; Secure") && cookie.contains("Path=/;"),
        "{cookie}"
    );
}

#[tokio::test]
async fn names_and_number_sent_back_in_hidden_fields_are_checked_again() {
    let app = spawn_app().await;
    let mut invitee = invited_through_mail_file(&app, "hidden@example.com").await;
    ask_code(&mut invitee, MOBILE).await;
    let code = last_code(&app, MOBILE);
    let long_name = "A".repeat(101);
    for (first, last, mobile) in [
        (long_name.as_str(), "Hopper", MOBILE),
        ("Grace", "Hopper\r\nBcc: x@example.com", MOBILE),
        ("Grace", "Hopper", "call me maybe"),
        ("", "Hopper", MOBILE),
    ] {
        let page = invitee
            .post(
                "accept",
                &[
                    ("first_name", first),
                    ("last_name", last),
                    ("mobile", mobile),
                    ("code", &code),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "{first:?} {last:?} {mobile:?}"
        );
    }
    let admin = app.admin().await;
    assert!(admin.users("?search=hidden@").await.data.is_empty());
}

#[tokio::test]
async fn common_and_patterned_passwords_are_refused_and_the_page_says_why() {
    let app = spawn_app().await;
    let mut invitee = invited_through_mail_file(&app, "weak@example.com").await;
    ask_code(&mut invitee, MOBILE).await;
    let code = last_code(&app, MOBILE);
    for weak in ["password1234", "qwertyuiop12", "111111111111"] {
        let page = invitee
            .post(
                "accept",
                &[
                    ("first_name", "Grace"),
                    ("last_name", "Hopper"),
                    ("mobile", MOBILE),
                    ("code", &code),
                    ("password", weak),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(
            page.html.contains("too easy to guess"),
            "{weak}: {}",
            page.html
        );
    }
}

async fn statuses_with_forwarded_for(app: &TestApp, forwarded: &str, times: usize) -> Vec<u16> {
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..times {
        let response = http
            .get(format!(
                "{}/invite/{}",
                app.base_url(),
                invitedesk_server::auth::random_token()
            ))
            .header("x-forwarded-for", forwarded)
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_limits_count_the_forwarded_client() {
    let app = spawn_app_with(|c| {
        c.page_requests_per_minute = 3;
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    assert_eq!(
        statuses_with_forwarded_for(&app, "203.0.113.1", 4).await,
        [404, 404, 404, 429]
    );
    assert_eq!(
        statuses_with_forwarded_for(&app, "203.0.113.2", 1).await,
        [404],
        "another client behind the proxy has its own count"
    );
}

#[tokio::test]
async fn from_an_untrusted_peer_a_forwarded_header_changes_nothing() {
    let app = spawn_app_with(|c| c.page_requests_per_minute = 3).await;
    assert_eq!(
        statuses_with_forwarded_for(&app, "203.0.113.1", 3).await,
        [404, 404, 404]
    );
    assert_eq!(
        statuses_with_forwarded_for(&app, "203.0.113.2", 1).await,
        [429],
        "a made-up address does not escape the limit"
    );
}
