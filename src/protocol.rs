//! The Okta protocol, sans-IO: which HTTP request to make next, and what each response means.
//!
//! A [`Session`] holds what outlives one operation (the cached token and DPoP nonces, the clock offset to
//! Okta). An [`Operation`] is one thing the platform asks for — a token, a user lookup, a password change,
//! the Connect verification — driven by its host in a loop:
//!
//! ```text
//! loop { match op.next(&mut session, now_ms)? {
//!     Step::Sign(inputs)  => op.provide_signatures(sign_each(inputs))?,   // client key / DPoP key
//!     Step::Send(request) => match fetch(request) { Ok(r) => op.handle_response(&mut session, r, now_ms)?,
//!                                                   Err(f) => op.handle_failure(&mut session, f)? },
//!     Step::NeedToken     => run (or join) a `OperationSpec::Token` operation on the same session,
//!     Step::Wait(ms)      => sleep(ms),
//!     Step::Progress(c)   => report(c),
//!     Step::Done(outcome) => return outcome,
//! } }
//! ```
//!
//! The host performs I/O and signing only; every decision (retries, nonces, token reuse, error meaning) is here.

mod call;
mod http;
mod okta_error;
mod operation;
mod session;
mod time;
mod users;
mod verify;

pub use http::{Failure, HttpRequest, Method, Response, SignRequest, Signer};
pub use operation::{Operation, OperationSpec, Outcome, Step};
pub use session::{Session, SessionOptions};
pub use users::{Secret, User, UserRef};
pub use verify::{Check, CheckId, CheckStatus, PROBE_USER_ID};
