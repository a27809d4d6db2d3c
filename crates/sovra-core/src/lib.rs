/*!
The core of Sovra: the model of what a delivered project contains, the
contract ecosystem plug-ins fulfil, and everything done with the result.

The principal types:

* [`model::Component`] is one third-party package, identified by its purl,
  with scope, hashes, source, declared and concluded licences and the places
  it was read from. [`model::Project`] is a first-party package (a workspace
  member, a module) and wraps a component of its own.
* [`plugin::Plugin`] is what each ecosystem crate implements: it claims files
  by name during the one walk of the tree ([`discover`]), groups them into
  [`plugin::Unit`]s and parses each unit through a [`plugin::SourceTree`] into a
  [`model::Parsed`]: projects, components, dependency edges and
  [`model::Diagnostic`]s for whatever could not be read.
* [`scan`] runs the plug-ins in parallel and merges their results into one
  [`model::Inventory`]: one component per purl, the dependency graph keyed by
  bom-ref, diagnostics sorted, licences normalised ([`license`]).
* [`installed`] attaches the licences of installed and vendored packages
  (`node_modules`, `vendor/`, virtualenvs, the user's package caches) to the
  matching components: declared from their metadata, concluded from their
  licence texts through a [`installed::Concluder`] the front end supplies.
* Writers turn an inventory into documents; they know nothing of any ecosystem.
*/

pub mod bsi;
pub mod cyclonedx;
pub mod discover;
pub mod installed;
pub mod json_pos;
pub mod license;
pub mod model;
pub mod party;
pub mod plugin;
pub mod policy;
pub mod purl;
pub mod report;
pub mod risk;
pub mod scan;
pub mod spdx_out;
#[doc(hidden)]
pub mod testing;
pub mod time;
pub mod validate;
pub mod verify;
pub mod xml;

pub use model::*;
pub use plugin::{Plugin, SourceTree, Unit};
