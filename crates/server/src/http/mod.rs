//! The router: every route, its OpenAPI description (generated from the handlers, so it
//! cannot drift), and the layers every request passes through.

pub mod account;
pub mod account_invitations;
pub mod audit_log;
pub mod catalog;
pub mod client_address;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod invitation_batch;
pub mod invitations;
pub mod invite_pages;
pub mod m3ter_only;
pub mod me;
pub mod oauth;
pub mod page;
pub mod password_pages;
pub mod sealed;
pub mod security_headers;
pub mod service_users;
pub mod sign_in_pages;
pub mod users;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use invitedesk_model::ErrorBody;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::Error;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "InviteDesk Access API", description = "m3ter-compatible organisation invitations, extended with status, resend, revoke, edit, seats and incremental sync."),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState) -> Router {
    let (api, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(oauth::token))
        .routes(routes!(oauth::revoke))
        .routes(routes!(password_pages::change))
        .routes(routes!(account::begin))
        .routes(routes!(account::confirm))
        .routes(routes!(account::set_security))
        .routes(routes!(account_invitations::list))
        .routes(routes!(account_invitations::accept))
        .routes(routes!(account_invitations::decline))
        .routes(routes!(me::me))
        .routes(routes!(me::users_me))
        .routes(routes!(invitations::list, invitations::create))
        .routes(routes!(invitation_batch::create_batch))
        .routes(routes!(
            invitations::get,
            invitations::update,
            invitations::delete
        ))
        .routes(routes!(invitations::resend))
        .routes(routes!(invitations::revoke))
        .routes(routes!(users::list))
        .routes(routes!(users::get, users::update, users::delete))
        .routes(routes!(users::inactivate))
        .routes(routes!(users::reactivate))
        .routes(routes!(service_users::list))
        .routes(routes!(audit_log::list))
        .routes(routes!(catalog::permission_policies))
        .routes(routes!(catalog::permission_policy))
        .routes(routes!(catalog::businesses))
        .routes(routes!(catalog::apps))
        .routes(routes!(catalog::roles))
        .routes(routes!(catalog::app_subscriptions))
        .routes(routes!(catalog::subscriptions))
        .routes(routes!(catalog::subscription))
        .split_for_parts();
    let max_body = state.config.max_body_bytes;
    api.route("/openapi.json", get(move || async move { Json(openapi) }))
        .merge(invite_pages::routes())
        .merge(sign_in_pages::routes())
        .merge(password_pages::routes())
        .fallback(|| async { Error::NotFound("route") })
        .method_not_allowed_fallback(|| async {
            let body = ErrorBody::new(
                "this method is not allowed on this path",
                "method_not_allowed",
            );
            (StatusCode::METHOD_NOT_ALLOWED, Json(body))
        })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            m3ter_only::layer,
        ))
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            date_from_the_servers_clock,
        ))
        .with_state(state)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// The `Date` header from the clock that decides expiry (which tests may move), so a client
/// that learns the server's time from it sees the time the server judges by.
async fn date_from_the_servers_clock(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut response: axum::response::Response,
) -> axum::response::Response {
    let date = state
        .clock
        .now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    if let Ok(value) = axum::http::HeaderValue::from_str(&date) {
        response
            .headers_mut()
            .insert(axum::http::header::DATE, value);
    }
    response
}

/// Method, route and request id only: never headers (they carry credentials), queries, nor
/// the path itself, which holds live invite tokens (`/invite/{token}`): the route's template
/// is logged instead, and a path no route matched is not logged at all.
fn request_span(request: &Request) -> tracing::Span {
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or("(no route)");
    tracing::info_span!("request", method = %request.method(), route, request_id)
}
