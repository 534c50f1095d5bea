//! The server side: a validated CORS policy and its decisions.
//!
//! INTERFACE STUB, to be implemented.
#![allow(missing_docs, unused_variables)]

/// What a person writes (TOML on disk).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PolicyConfig {}

/// A validated, compiled policy.
#[derive(Debug)]
pub struct Policy {}

/// What to do with one request.
#[derive(Debug)]
pub enum Decision<'a> {
    NotCors(std::marker::PhantomData<&'a ()>),
}
