//! The ecosystem plug-ins this binary ships.

use sovra_core::Plugin;

/// Every plug-in, in a fixed order (the order does not change the output,
/// which the merge sorts, but it keeps diagnostics and progress stable).
pub fn all() -> Vec<&'static dyn Plugin> {
    vec![
        &sovra_cargo::CargoPlugin,
        &sovra_npm::NpmPlugin,
        &sovra_python::PythonPlugin,
        &sovra_maven::MavenPlugin,
        &sovra_go::GoPlugin,
        &sovra_composer::ComposerPlugin,
        &sovra_nuget::NugetPlugin,
        &sovra_ruby::RubyPlugin,
    ]
}
