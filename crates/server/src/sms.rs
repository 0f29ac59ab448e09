//! Sending a one-time code to a mobile number: through an SMS gateway's webhook, or, as the
//! embedded default, into a text file per number so that the demo and the tests can read it.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;

use crate::config::Config;
use crate::error::{Error, Result};

pub enum SmsSender {
    Webhook { url: String, http: reqwest::Client },
    Folder(PathBuf),
}

impl SmsSender {
    pub fn from_config(config: &Config) -> Result<Self> {
        match &config.sms_webhook_url {
            Some(url) => {
                let http = reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .map_err(|e| Error::Internal(format!("sms client: {e}")))?;
                Ok(SmsSender::Webhook {
                    url: url.clone(),
                    http,
                })
            }
            None => {
                let folder = config.mail_folder().join("sms");
                crate::files::owner_only_folder(&folder)?;
                Ok(SmsSender::Folder(folder))
            }
        }
    }

    pub async fn send(&self, to: &str, message: &str) -> Result<()> {
        let failed = |e: String| Error::Internal(format!("sms to {to}: {e}"));
        match self {
            SmsSender::Webhook { url, http } => {
                let response = http
                    .post(url)
                    .json(&json!({"to": to, "message": message}))
                    .send()
                    .await
                    .map_err(|e| failed(e.to_string()))?;
                if !response.status().is_success() {
                    return Err(failed(format!("gateway answered {}", response.status())));
                }
                Ok(())
            }
            SmsSender::Folder(folder) => {
                let digits: String = to.chars().filter(char::is_ascii_digit).collect();
                let file = folder.join(format!("{digits}.txt"));
                crate::files::append_owner_only(&file, &format!("{message}\n"))
                    .await
                    .map_err(|e| failed(e.to_string()))
            }
        }
    }
}
