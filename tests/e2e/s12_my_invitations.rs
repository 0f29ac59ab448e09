//! Story 12, my invitations: Grace Hopper, a member of Acme Robotics only, signs in as
//! herself; the bell says one invitation waits (Globex Logistics'). She accepts it in one
//! click, is told she joined, takes the offer of a profile for Globex, signs in to it in her
//! browser, and the app opens Globex's lists as her.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::chromium::{headless_browser, sign_in_on_the_page};
use crate::helpers::table_filled;
use crate::stage::{play, Given, Stage};

/// The `n`th address (from 1) the app asked the system browser to open.
async fn nth_opened(s: &Stage, n: usize) -> String {
    let file = s.dir.path().join("browser-opened");
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        if let Some(line) = text.lines().nth(n - 1) {
            return line.to_owned();
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the app opened no browser {n} times"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Signs in on the page `link` opens as the invited demo person.
async fn sign_in_as_grace(s: &Stage, link: &str) {
    let (browser, _kept) = headless_browser("800,900").await;
    browser.goto(link).await.unwrap();
    let person = &s.demo.invited_person;
    sign_in_on_the_page(&browser, &person.email, &person.password).await;
    browser
        .wait()
        .for_element(Locator::XPath("//*[contains(., 'You are signed in')]"))
        .await
        .unwrap();
    let _ = browser.close().await;
}

#[tokio::test]
async fn a_person_invited_to_another_organisation_accepts_from_the_bell_and_opens_it() {
    play("s12-my-invitations", Given::NoProfile, |s| {
        Box::pin(async move {
            s.until_text("#notice", "Add a connection profile").await;
            s.click("#pf-kind input[value=person]").await;
            s.type_into("#pf-name", "Grace at Acme").await;
            s.type_into("#pf-baseUrl", &s.base_url()).await;
            s.click("#pf-save").await;
            let link = nth_opened(s, 1).await;
            sign_in_as_grace(s, &link).await;
            table_filled(s).await;
            s.until_text("#signed-in-as", "Signed in as Grace Hopper").await;
            s.until_text("#bell-count", "1").await;
            s.click("#bell").await;
            s.until_text("#bell-list", "Globex Logistics").await;
            s.screenshot("bell").await;
            s.click("#bell-list button[data-answer=accept]").await;
            s.until_text("#bell-outcome", "You joined Globex Logistics.").await;
            s.until(
                "the bell emptied",
                "document.getElementById('bell-count').textContent === ''",
            )
            .await;

            s.click("#bell-open-profile").await;
            let link = nth_opened(s, 2).await;
            assert!(link.contains("org="), "the profile names Globex: {link}");
            sign_in_as_grace(s, &link).await;
            s.until(
                "Globex's profile open",
                "document.getElementById('profile-select').selectedOptions[0]?.textContent === 'Globex Logistics'",
            )
            .await;
            s.until_text("#signed-in-as", "Signed in as Grace Hopper").await;
            s.until(
                "Globex's invitations in the table",
                "[...document.querySelectorAll('#invitation-table .vt-row')].some(r => r.innerText.includes('globex.example'))",
            )
            .await;
            s.screenshot("second-organisation-open").await;
        })
    })
    .await;
}
