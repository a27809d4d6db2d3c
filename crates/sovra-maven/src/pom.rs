//! One `pom.xml` as written: coordinates, parent, properties, dependencies,
//! dependency management, modules and licences, with the line of each entry.
//! Nothing is interpolated or inherited here; [`crate::reactor`] does that
//! once every POM of the tree is known.

use std::collections::BTreeMap;

use sovra_core::{Diagnostic, Location};

use sovra_core::xml::{self, Element};

/// The `<parent>` reference of a POM.
#[derive(Clone, Debug, PartialEq)]
pub struct ParentRef {
    pub group: Option<String>,
    pub artifact: Option<String>,
    pub version: Option<String>,
    /// `None`: element absent, Maven looks at `../pom.xml`; `Some("")`: an
    /// empty `<relativePath/>`, which turns the lookup in the tree off.
    pub relative_path: Option<String>,
    pub line: u32,
}

/// A `<dependency>` of `<dependencies>` or of `<dependencyManagement>`.
#[derive(Clone, Debug, PartialEq)]
pub struct Dep {
    pub group: String,
    pub artifact: String,
    pub version: Option<String>,
    pub scope: Option<String>,
    /// `<type>`, `jar` when absent.
    pub kind: Option<String>,
    pub classifier: Option<String>,
    pub optional: Option<String>,
    /// The `<profile>` id the declaration sits in, if any.
    pub profile: Option<String>,
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Licence {
    pub name: Option<String>,
    pub url: Option<String>,
    pub line: u32,
}

/// A POM as written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pom {
    pub path: String,
    pub line: u32,
    pub group: Option<String>,
    pub artifact: Option<String>,
    pub version: Option<String>,
    pub packaging: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    pub scm_url: Option<String>,
    pub organization: Option<String>,
    pub parent: Option<ParentRef>,
    pub properties: BTreeMap<String, String>,
    pub deps: Vec<Dep>,
    pub managed: Vec<Dep>,
    /// `<modules>` (Maven 4: `<subprojects>`) of the project itself, with lines.
    pub modules: Vec<(String, u32)>,
    pub licences: Vec<Licence>,
}

/// Read a POM. `Err` when the file is not XML or not a `<project>`; the
/// warnings are entries that were skipped.
pub fn parse_pom(text: &str, path: &str) -> Result<(Pom, Vec<Diagnostic>), Diagnostic> {
    let (root, mut diags) = xml::parse(text, path, "maven")?;
    if root.name != "project" {
        return Err(Diagnostic::error(
            "maven::not-a-pom",
            Location::new(path, Some(root.line)),
            format!("root element is <{}>, not <project>", root.name),
        ));
    }
    let mut pom = Pom {
        path: path.to_string(),
        line: root.line,
        group: root.text_at("groupId"),
        artifact: root.text_at("artifactId"),
        version: root.text_at("version"),
        packaging: root.text_at("packaging"),
        name: root.text_at("name"),
        description: root.text_at("description").map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")),
        url: root.text_at("url"),
        scm_url: root.text_at("scm/url"),
        organization: root.text_at("organization/name"),
        parent: root.child("parent").map(|p| ParentRef {
            group: p.text_at("groupId"),
            artifact: p.text_at("artifactId"),
            version: p.text_at("version"),
            relative_path: p.child("relativePath").map(|r| r.text.trim().to_string()),
            line: p.line,
        }),
        ..Pom::default()
    };
    for p in root.all("properties").flat_map(|p| &p.children) {
        pom.properties.insert(p.name.clone(), p.text.trim().to_string());
    }
    pom.deps = deps(&root, "dependencies/dependency", None, path, &mut diags);
    pom.managed = deps(&root, "dependencyManagement/dependencies/dependency", None, path, &mut diags);
    for profile in root.all("profiles/profile") {
        let id = profile.text_at("id").unwrap_or_default();
        pom.deps.extend(deps(profile, "dependencies/dependency", Some(&id), path, &mut diags));
    }
    pom.modules = root
        .all("modules/module")
        .chain(root.all("subprojects/subproject"))
        .filter_map(|m| Some((trimmed(&m.text)?, m.line)))
        .collect();
    pom.licences = root
        .all("licenses/license")
        .map(|l| Licence { name: l.text_at("name"), url: l.text_at("url"), line: l.line })
        .filter(|l| l.name.is_some() || l.url.is_some())
        .collect();
    Ok((pom, diags))
}

fn trimmed(s: &str) -> Option<String> {
    Some(s.trim()).filter(|t| !t.is_empty()).map(str::to_string)
}

fn deps(root: &Element, at: &str, profile: Option<&str>, path: &str, diags: &mut Vec<Diagnostic>) -> Vec<Dep> {
    root.all(at)
        .filter_map(|d| {
            let (Some(group), Some(artifact)) = (d.text_at("groupId"), d.text_at("artifactId")) else {
                diags.push(Diagnostic::warning(
                    "maven::bad-dependency",
                    Location::new(path, Some(d.line)),
                    "<dependency> without groupId or artifactId skipped",
                ));
                return None;
            };
            Some(Dep {
                group,
                artifact,
                version: d.text_at("version"),
                scope: d.text_at("scope"),
                kind: d.text_at("type"),
                classifier: d.text_at("classifier"),
                optional: d.text_at("optional"),
                profile: profile.map(str::to_string),
                line: d.line,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries_with_lines() {
        let text = "<project>\n<parent><groupId>g</groupId><artifactId>p</artifactId><version>1</version><relativePath/></parent>\n<artifactId>a</artifactId>\n<properties><x.y>1.0</x.y></properties>\n<dependencies>\n<dependency><groupId>g</groupId><artifactId>d</artifactId><version>${x.y}</version><scope>test</scope></dependency>\n<dependency><artifactId>nogroup</artifactId></dependency>\n</dependencies>\n<modules><module> m </module></modules>\n<profiles><profile><id>extra</id><dependencies><dependency><groupId>g</groupId><artifactId>e</artifactId></dependency></dependencies></profile></profiles>\n</project>";
        let (pom, diags) = parse_pom(text, "pom.xml").unwrap();
        let parent = pom.parent.as_ref().unwrap();
        assert_eq!((parent.relative_path.as_deref(), parent.line), (Some(""), 2));
        assert_eq!(pom.group, None);
        assert_eq!(pom.properties.get("x.y").map(String::as_str), Some("1.0"));
        assert_eq!(pom.deps.len(), 2);
        assert_eq!((pom.deps[0].line, pom.deps[0].scope.as_deref()), (6, Some("test")));
        assert_eq!(pom.deps[1].profile.as_deref(), Some("extra"));
        assert_eq!(pom.modules, vec![("m".to_string(), 9)]);
        assert_eq!(diags.len(), 1);
        assert_eq!((diags[0].code.as_str(), diags[0].location.line), ("maven::bad-dependency", Some(7)));
    }

    #[test]
    fn other_xml_is_not_a_pom() {
        assert_eq!(parse_pom("<settings/>", "pom.xml").unwrap_err().code, "maven::not-a-pom");
    }
}
