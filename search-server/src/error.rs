//! The one error shape of the HTTP API: `{"error": {"code", "message"}}` with a closed set of
//! stable codes. User errors name what was wrong; internal errors are logged with their cause
//! and answered with a generic message, so nothing of the server's insides leaks.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The stable error codes of the API. Scripts match on these; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A query parameter is missing, malformed or out of range (400).
    InvalidParameter,
    /// The route or the resource does not exist (404).
    NotFound,
    /// The route exists, but not for this method (405).
    MethodNotAllowed,
    /// The search index or the store cannot answer now (503).
    Unavailable,
    /// A bug or an unexpected failure inside the server (500).
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidParameter => "invalid_parameter",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::InvalidParameter => StatusCode::BAD_REQUEST,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Everything a handler can answer instead of a result.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// `message` reads `"km: must be a number between 1 and 300"`: the parameter first.
    #[error("{parameter}: {problem}")]
    InvalidParameter {
        parameter: &'static str,
        problem: String,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("this route does not answer this method")]
    MethodNotAllowed,
    /// Logged with its cause; the client sees only that the service is unavailable.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Logged with its cause; the client sees only "internal error".
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(parameter: &'static str, problem: impl Into<String>) -> ApiError {
        ApiError::InvalidParameter {
            parameter,
            problem: problem.into(),
        }
    }

    pub fn internal(error: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(error.to_string())
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::InvalidParameter { .. } => ErrorCode::InvalidParameter,
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            ApiError::Unavailable(_) => ErrorCode::Unavailable,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The message the client sees.
    pub fn public_message(&self) -> String {
        match self {
            ApiError::InvalidParameter { .. }
            | ApiError::NotFound(_)
            | ApiError::MethodNotAllowed => self.to_string(),
            ApiError::Unavailable(_) => "the search service is unavailable, try again".to_owned(),
            ApiError::Internal(_) => "internal error".to_owned(),
        }
    }

    /// Logs an internal cause once, where the error turns into a response.
    pub fn log(&self) {
        match self {
            ApiError::Internal(cause) => tracing::error!(%cause, "request failed"),
            ApiError::Unavailable(cause) => tracing::warn!(%cause, "request unavailable"),
            ApiError::InvalidParameter { .. }
            | ApiError::NotFound(_)
            | ApiError::MethodNotAllowed => {}
        }
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        let code = self.code();
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.as_str(),
                message: self.public_message(),
            },
        };
        (code.status(), Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_parameter_names_the_parameter_first() {
        let error = ApiError::invalid("km", "must be a number between 1 and 300");
        assert_eq!(
            error.public_message(),
            "km: must be a number between 1 and 300"
        );
        assert_eq!(error.code().status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn internal_details_are_not_public() {
        let error = ApiError::internal("tantivy: segment 3f2a missing");
        assert_eq!(error.public_message(), "internal error");
        assert_eq!(error.code().as_str(), "internal");
    }
}
