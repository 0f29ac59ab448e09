//! Steps more than one story takes: what a person does in the window (open the invite form, fill
//! it, send it), what the invitee does in a browser (over HTTP, as a browser sends it), and what
//! the server holds (through the API, as the test's own administrator).

use invitedesk_client::api::ListQuery;
use invitedesk_client::{ApiClient, Connection};
use invitedesk_model::User;
use reqwest::StatusCode;

use crate::stage::Stage;

pub struct Person {
    pub first: &'static str,
    pub last: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
}

/// Business, app, subscription and role, by their names in the demo catalogue.
pub type Placement = [&'static str; 4];

pub const TELEMETRY_TEAM: Placement = ["Acme Labs", "Telemetry", "Telemetry Team", "Engineer"];

/// A client of the API as one of the demo organisation's service users.
pub fn api_as(stage: &Stage, who: &str) -> ApiClient {
    let credentials = stage.credentials(who);
    ApiClient::new(Connection {
        base_url: stage.base_url(),
        org_id: stage.org_id(),
        access_key_id: credentials.access_key_id.clone(),
        api_secret: credentials.api_secret.clone(),
    })
    .unwrap()
}

/// Every invitation the server holds (the client tests' own paging helper).
pub use crate::client_support::all_invitations as invitations_on_server;

pub async fn users_on_server(api: &ApiClient) -> Vec<User> {
    api.list_users(&ListQuery {
        page_size: Some(200),
        ..Default::default()
    })
    .await
    .unwrap()
    .data
}

/// Waits for the invitations table to show the cached rows, for the page to take clicks (the
/// first rows are drawn before the rest of the UI is wired; the page is inert until then), and
/// for the first sync to have finished: its end reloads the tables and the catalogue, which
/// would otherwise land in the middle of the story's next steps.
pub async fn table_filled(stage: &Stage) {
    stage
        .until(
            "the invitations table to show rows, its controls wired, the first sync done",
            "document.querySelectorAll('#invitation-table .vt-row').length > 0 && !document.body.inert \
             && document.getElementById('last-synced').innerText.startsWith('Last synced') \
             && !document.getElementById('connectivity-badge').innerText.startsWith('Syncing')",
        )
        .await;
}

/// Opens the invite form, as a person does, and waits for its catalogue.
pub async fn open_invite_form(stage: &Stage) {
    stage.click("#invite-button").await;
    stage
        .until(
            "the invite form with its businesses",
            "document.getElementById('invite-dialog').open && document.getElementById('if-businessId').options.length > 1",
        )
        .await;
}

/// Chooses each level of the placement in turn, each list filling once its parent is chosen.
pub async fn place(stage: &Stage, [business, app, subscription, role]: Placement) {
    stage.choose("#if-businessId", business).await;
    stage.choose("#if-appId", app).await;
    stage.choose("#if-subscriptionId", subscription).await;
    stage.choose("#if-roleId", role).await;
}

/// Fills the form for a new person with the first policy ticked; does not send it.
pub async fn fill_new_person(stage: &Stage, person: &Person, placement: Placement) {
    stage.type_into("#if-firstName", person.first).await;
    stage.type_into("#if-lastName", person.last).await;
    stage.type_into("#if-email", person.email).await;
    stage.type_into("#if-contactNumber", person.phone).await;
    place(stage, placement).await;
    stage.click("#if-policies input[type=checkbox]").await;
}

/// Sends the filled form and waits for the app to say it went.
pub async fn send_invite(stage: &Stage, email: &str) {
    stage.click("#invite-send").await;
    stage
        .until_text("#notice", &format!("Invitation sent to {email}"))
        .await;
}

/// The accept token in the `n`th message the SMTP server received (counting from 1).
pub async fn token_of_mail(stage: &Stage, n: usize) -> String {
    let mails = stage.sink.wait_for(n).await;
    crate::smtp_sink::invite_token(&mails[n - 1])
}

/// The invitee's browser: the accept page's forms over HTTP, with its CSRF cookie.
pub struct Invitee {
    http: reqwest::Client,
    link: String,
    cookie: String,
    csrf: String,
}

impl Invitee {
    /// Follows the link from the e-mail; answers the page's status.
    pub async fn follow(stage: &Stage, token: &str) -> (StatusCode, Invitee) {
        let http = reqwest::Client::new();
        let link = format!("{}/invite/{token}", stage.base_url());
        let response = http.get(&link).send().await.unwrap();
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .unwrap_or_default()
            .to_owned();
        let status = response.status();
        let page = response.text().await.unwrap();
        // The form's signed CSRF field, as a browser posts it back.
        let marker = "name=\"csrf\" value=\"";
        let csrf = page
            .split_once(marker)
            .and_then(|(_, rest)| rest.split('"').next())
            .unwrap_or_default()
            .to_owned();
        (
            status,
            Invitee {
                http,
                link,
                cookie,
                csrf,
            },
        )
    }

    async fn post(&self, step: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let mut form = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        let response = self
            .http
            .post(format!("{}/{step}", self.link))
            .header("cookie", &self.cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// Accepts as a new person: asks for the one-time code, reads it from the text the server
    /// sent (its SMS outbox folder), and sets a password.
    pub async fn accept_as_new_person(&self, stage: &Stage, person: &Person) {
        let names = [
            ("first_name", person.first),
            ("last_name", person.last),
            ("mobile", person.phone),
        ];
        let (status, page) = self.post("code", &names).await;
        assert_eq!(status, StatusCode::OK, "asking for the code: {page}");
        let digits: String = person.phone.chars().filter(char::is_ascii_digit).collect();
        let texts = std::fs::read_to_string(
            stage
                .dir
                .path()
                .join("mail/sms")
                .join(format!("{digits}.txt")),
        )
        .expect("the one-time code was texted");
        let code = texts.lines().last().unwrap()[..6].to_owned();
        let mut fields = names.to_vec();
        fields.extend([
            ("code", code.as_str()),
            ("password", "a long and private passphrase"),
        ]);
        let (status, page) = self.post("accept", &fields).await;
        assert!(
            status.is_success() && page.contains("Welcome"),
            "accepting: {status} {page}"
        );
    }
}
