//! `POST /auth/login` `{"username", "password"}` → 200 `{"token",
//! "tokenTtlMs"}`; every other path wants `Authorization: Bearer <token>`,
//! else 401 with the `EAUTH` error body. Tokens live `--token-ttl-ms` from
//! login and are kept in memory (a restart forgets them).

use std::sync::Arc;

use axum::Router;
use axum::body::{Body as HttpBody, Bytes};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;

use super::error::{NefError, NefResult};
use super::{App, Body, Nexenta};

pub fn routes() -> Router<Arc<Nexenta>> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
}

async fn login(State(nx): App, bytes: Bytes) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let user = b.req_str("username")?;
    let password = b.req_str("password")?;
    let creds = &nx.settings.credentials;
    if user != creds.user || password != creds.password {
        return Err(NefError::auth("Invalid username or password"));
    }
    let token = uuid::Uuid::new_v4().simple().to_string();
    let ttl = nx.settings.token_ttl;
    {
        let mut tokens = nx.tokens.write().unwrap_or_else(|p| p.into_inner());
        let now = crate::core::time::now();
        tokens.retain(|_, expiry| *expiry > now);
        tokens.insert(token.clone(), now + ttl);
    }
    Ok(axum::Json(json!({"token": token, "tokenTtlMs": ttl.as_millis() as u64})).into_response())
}

async fn logout(State(nx): App, request: Request) -> Response {
    if let Some(token) = bearer(&request) {
        nx.tokens
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&token);
    }
    super::ok()
}

fn bearer(request: &Request) -> Option<String> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// The middleware: everything but `/auth/login` needs a live token.
pub async fn check(
    State(nx): State<Arc<Nexenta>>,
    request: Request<HttpBody>,
    next: Next,
) -> Response {
    if request.uri().path() == "/auth/login" {
        return next.run(request).await;
    }
    let Some(token) = bearer(&request) else {
        return NefError::auth("Authentication required: no bearer token").into_response();
    };
    let expiry = nx
        .tokens
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .get(&token)
        .copied();
    match expiry {
        Some(e) if e > crate::core::time::now() => next.run(request).await,
        Some(_) => NefError::auth("Authentication token has expired").into_response(),
        None => NefError::auth("Invalid authentication token").into_response(),
    }
}
