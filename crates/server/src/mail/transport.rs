//! Delivering one message: over SMTP with lettre, or, with no SMTP server configured, as an
//! .eml file in a folder so that the demo works with no mail server.

use std::path::PathBuf;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{Config, SmtpSecurity};
use crate::error::{Error, Result};

pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(PathBuf),
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Self> {
        let Some(host) = &config.smtp_host else {
            let folder = config.mail_folder();
            crate::files::owner_only_folder(&folder)?;
            return Ok(Mailer::Folder(folder));
        };
        let smtp_error =
            |e: lettre::transport::smtp::Error| Error::Internal(format!("smtp {host}: {e}"));
        let builder = match config.smtp_security {
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(smtp_error)?
            }
            SmtpSecurity::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(smtp_error)?
            }
        };
        let mut builder = builder
            .port(config.smtp_port)
            .timeout(Some(Duration::from_secs(15)));
        if let (Some(user), Some(password)) = (&config.smtp_username, &config.smtp_password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer::Smtp(builder.build()))
    }

    /// Delivers one message. `name` names the file in folder mode. Answers where it went, or
    /// why it did not.
    pub async fn send(&self, message: Message, name: &str) -> std::result::Result<String, String> {
        match self {
            Mailer::Smtp(transport) => transport
                .send(message)
                .await
                .map(|response| format!("smtp {}", response.code()))
                .map_err(|e| e.to_string()),
            Mailer::Folder(folder) => {
                let path = folder.join(format!("{name}.eml"));
                crate::files::write_owner_only(&path, &message.formatted())
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(path.display().to_string())
            }
        }
    }
}
