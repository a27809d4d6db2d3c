//! Licence resolution: turning the licence strings manifests and registries
//! give into SPDX expressions.

use crate::model::Component;

mod aliases;
mod classes;
mod normalize;

pub use aliases::lookup as lookup_alias;
pub use classes::{ExpressionClass, LicenseClass, classify};
pub use normalize::{Normalized, normalize};

/// Fill the SPDX `expression` of every declared licence of a component that
/// does not have one yet. The raw string is never changed.
pub fn normalize_component(c: &mut Component) {
    for d in &mut c.declared_licenses {
        if d.expression.is_none() {
            d.expression = Some(normalize(&d.raw).expression);
        }
    }
}
