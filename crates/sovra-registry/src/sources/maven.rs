//! Maven Central (or any Maven 2 layout repository): the artifact's POM at
//! `/{group as path}/{artifact}/{version}/{artifact}-{version}.pom`.
//! `<licenses>` are inherited from the parent POM when the artifact has none,
//! so parents are followed (a bounded number of levels); `<scm><url>` is only
//! taken from the artifact's own POM, because an inherited one gets the
//! child's path appended by Maven and is rarely a real address. The
//! repository serves no dates, so the POM's `Last-Modified` dates the
//! release; a `<relocation>` counts as a deprecation.

use sovra_core::xml::{self, Element};
use sovra_core::{Component, DeclaredLicense, Ecosystem};

use super::{Context, Source};
use crate::facts::{Facts, clean_repository};
use crate::http::{DOC_LIMIT, FetchError};

pub struct Maven;

/// Parent POMs followed at most (real chains are 2-4 deep).
const MAX_PARENTS: usize = 8;

impl Source for Maven {
    fn name(&self) -> &'static str {
        "maven"
    }
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Maven
    }
    fn default_url(&self) -> &'static str {
        "https://repo1.maven.org/maven2"
    }

    fn lookup(&self, cx: &Context<'_>, c: &Component) -> Result<Facts, FetchError> {
        let group = c.namespace.as_deref().unwrap_or_default();
        let url = pom_url(cx.base, group, &c.name, &c.version);
        let body = cx.http.get(&url, DOC_LIMIT)?;
        let pom = parse(&body.bytes, &url)?;
        let mut facts = Facts {
            repository: pom.text_at("scm/url").filter(|u| !u.contains("${")).and_then(|u| clean_repository(&u)),
            published: body.last_modified.clone(),
            deprecated: relocation(&pom),
            license: licenses(&pom),
            url: url.clone(),
            ..Facts::default()
        };
        let mut parent = parent_of(&pom);
        let mut seen = vec![url];
        while facts.license.is_none() {
            let Some((g, a, v)) = parent else { break };
            let parent_url = pom_url(cx.base, &g, &a, &v);
            if seen.len() > MAX_PARENTS || seen.contains(&parent_url) {
                break;
            }
            // Parents are shared by many artifacts of one project.
            let body = cx.http.get_shared(&parent_url, DOC_LIMIT)?;
            let pom = parse(&body.bytes, &parent_url)?;
            facts.license = licenses(&pom);
            parent = parent_of(&pom);
            seen.push(parent_url);
        }
        Ok(facts)
    }
}

fn pom_url(base: &str, group: &str, artifact: &str, version: &str) -> String {
    format!("{base}/{}/{artifact}/{version}/{artifact}-{version}.pom", group.replace('.', "/"))
}

fn parse(bytes: &[u8], url: &str) -> Result<Element, FetchError> {
    let text = std::str::from_utf8(bytes).map_err(|_| FetchError::malformed(url, "the POM is not UTF-8"))?;
    let (root, _) = xml::parse(text, url, "registry").map_err(|d| FetchError::malformed(url, d.message))?;
    if root.name != "project" {
        return Err(FetchError::malformed(url, format!("<{}> where a POM's <project> was expected", root.name)));
    }
    Ok(root)
}

/// The licences of one POM: alternatives the user chooses from, like npm's list.
fn licenses(pom: &Element) -> Option<String> {
    let names: Vec<String> =
        pom.all("licenses/license").filter_map(|l| l.text_at("name").or_else(|| l.text_at("url"))).collect();
    DeclaredLicense::any_of(&names).map(|d| d.raw)
}

fn parent_of(pom: &Element) -> Option<(String, String, String)> {
    let p = pom.child("parent")?;
    Some((p.text_at("groupId")?, p.text_at("artifactId")?, p.text_at("version")?))
}

fn relocation(pom: &Element) -> Option<String> {
    let r = pom.at("distributionManagement/relocation")?;
    let to: Vec<String> = ["groupId", "artifactId", "version"].iter().filter_map(|k| r.text_at(k)).collect();
    let mut what = if to.is_empty() { "relocated".to_string() } else { format!("relocated to {}", to.join(":")) };
    if let Some(m) = r.text_at("message") {
        what = format!("{what}: {m}");
    }
    Some(what)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pom(text: &str) -> Element {
        parse(text.as_bytes(), "u").unwrap()
    }

    #[test]
    fn licences_relocations_and_parents() {
        let p = pom(r#"<project><parent><groupId>g</groupId><artifactId>p</artifactId><version>1</version></parent>
            <licenses><license><name>Apache-2.0</name></license><license><url>https://opensource.org/licenses/MIT</url></license></licenses>
            <distributionManagement><relocation><groupId>new.g</groupId><message>moved</message></relocation></distributionManagement>
            </project>"#);
        assert_eq!(licenses(&p).as_deref(), Some("Apache-2.0 OR https://opensource.org/licenses/MIT"));
        assert_eq!(relocation(&p).as_deref(), Some("relocated to new.g: moved"));
        assert_eq!(parent_of(&p), Some(("g".into(), "p".into(), "1".into())));
        assert_eq!(pom_url("https://r", "org.a.b", "x", "1.0"), "https://r/org/a/b/x/1.0/x-1.0.pom");
    }

    #[test]
    fn not_a_pom_is_malformed() {
        assert!(matches!(parse(b"<html/>", "u"), Err(FetchError::Malformed { .. })));
        assert!(matches!(parse(b"{\"json\": true}", "u"), Err(FetchError::Malformed { .. })));
        assert!(matches!(parse(&[0xff, 0xfe], "u"), Err(FetchError::Malformed { .. })));
    }
}
