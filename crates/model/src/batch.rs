//! `POST /organizations/{orgId}/invitations/batch`: many invitations in one request, each
//! with its own `Idempotency-Key` and its own answer, as if each were sent alone.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{ErrorBody, Invitation, NewInvitation};

/// The most items one batch may carry: a bigger file is sent in several batches.
pub const BATCH_MAX_ITEMS: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationBatch {
    /// 1 to 100 items, answered in the same order.
    pub items: Vec<BatchItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchItem {
    /// The item's own key (1 to 255 visible ASCII characters): an item retried, in a batch or
    /// alone as `POST /invitations` with the same key, gets its first answer back.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    pub invitation: NewInvitation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchAnswer {
    pub results: Vec<BatchResult>,
}

/// One item's answer: the HTTP status it would have had alone, and the invitation made or the
/// error body it would have had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchResult {
    pub index: usize,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation: Option<Invitation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
    /// For a 429 (the organisation's or the recipient's sending limit): when to send it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}
