//! Every POM of the scanned tree read as one Maven reactor.
//!
//! Maven builds the effective model of a POM from its parent chain: parent
//! properties, `<dependencyManagement>` and `<dependencies>` are inherited,
//! `${...}` is interpolated in the context of the child, and BOMs imported with
//! `<scope>import</scope>` add managed versions. This module does the same,
//! but only with what the tree holds: a parent or BOM that lives in a remote
//! repository is not fetched, and a version that would come from it is
//! reported as unresolved instead of being guessed.
//!
//! Every POM becomes a first-party [`Project`]; a dependency on another POM of
//! the tree (same groupId, artifactId and version) is an edge between projects;
//! every other resolved dependency is a third-party [`Component`].
//! Dependencies of `<profiles>` are included (the scan cannot know which
//! profile a build activates) and carry `sovra:maven:profile`. Dependencies of
//! `<build>` plugins are build tooling and are not reported.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use sovra_core::plugin::{join_rel, parent_dir};
use sovra_core::purl::Purl;
use sovra_core::{
    Completeness, Component, DeclaredLicense, Diagnostic, Ecosystem, Location, Parsed, Project, Scope, Source,
};

use crate::pom::{Dep, Pom, parse_pom};

/// Property references followed inside one value before giving up.
const MAX_EXPANSIONS: usize = 1000;
/// Longest interpolated value accepted; longer is a property bomb, not a version.
const MAX_VALUE_LEN: usize = 4096;

/// Read the given POMs (path, text) as one reactor.
pub fn parse_poms(files: &[(&str, &str)]) -> Parsed {
    let mut out = Parsed { completeness: Completeness::Incomplete, ..Parsed::default() };
    let mut poms = Vec::new();
    for (path, text) in files {
        match parse_pom(text, path) {
            Ok((pom, diags)) => {
                poms.push(pom);
                out.diagnostics.extend(diags);
            }
            Err(d) => out.diagnostics.push(d),
        }
    }
    let mut reactor = Reactor::new(poms);
    reactor.emit(&mut out);
    out.diagnostics.extend(reactor.diags.into_values());
    out.diagnostics.sort();
    out
}

/// Dependency identity for management and inheritance: groupId, artifactId, type, classifier.
type Key = (String, String, String, String);
/// A POM's resolved groupId, artifactId and version.
type Gav = (String, String, String);

#[derive(Clone, Debug)]
struct Managed {
    version: Option<String>,
    scope: Option<String>,
    at: Location,
}

#[derive(Debug, Default)]
struct Management {
    entries: BTreeMap<Key, Managed>,
    /// `g:a:v` of imported BOMs that are not in the tree.
    external_boms: Vec<String>,
}

/// The interpolation context of one POM: its inherited properties and coordinates.
#[derive(Debug, Default)]
struct Ctx {
    props: BTreeMap<String, String>,
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    parent_group: Option<String>,
    parent_artifact: Option<String>,
    parent_version: Option<String>,
    packaging: Option<String>,
}

impl Ctx {
    fn lookup(&self, key: &str) -> Option<&str> {
        let builtin = key.strip_prefix("project.").or_else(|| key.strip_prefix("pom.")).unwrap_or(key);
        let value = match builtin {
            "groupId" => &self.group,
            "artifactId" => &self.artifact,
            "version" => &self.version,
            "packaging" => &self.packaging,
            "parent.groupId" => &self.parent_group,
            "parent.artifactId" => &self.parent_artifact,
            "parent.version" => &self.parent_version,
            _ => return self.props.get(key).map(String::as_str),
        };
        value.as_deref()
    }

    /// `${...}` replaced wherever the tree defines the property; references it
    /// does not define are left in place, so callers can tell "unresolved".
    fn interp(&self, s: &str) -> String {
        let mut budget = MAX_EXPANSIONS;
        self.expand(s, &mut Vec::new(), &mut budget).unwrap_or_else(|| s.to_string())
    }

    fn expand(&self, s: &str, stack: &mut Vec<String>, budget: &mut usize) -> Option<String> {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(j) = after.find('}') else {
                out.push_str(&rest[i..]);
                return Some(out);
            };
            let key = &after[..j];
            match self.lookup(key) {
                // A reference to a key being expanded is a cycle: keep it literal.
                Some(v) if !stack.iter().any(|k| k == key) => {
                    *budget = budget.checked_sub(1)?;
                    stack.push(key.to_string());
                    let expanded = self.expand(v, stack, budget);
                    stack.pop();
                    out.push_str(&expanded?);
                }
                _ => out.push_str(&rest[i..i + 3 + j]),
            }
            if out.len() > MAX_VALUE_LEN {
                return None;
            }
            rest = &after[j + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
}

/// Whether a value still holds a reference the tree could not fill: a
/// `${property}`, or an entity reference the XML reader left unexpanded.
fn unresolved(s: &str) -> bool {
    s.contains("${") || s.contains('&')
}

/// The references named in an unresolved value, for messages.
fn references(s: &str) -> Vec<&str> {
    let props = s.match_indices("${").filter_map(|(i, _)| s[i..].find('}').map(|j| &s[i..=i + j]));
    let entities = s.match_indices('&').filter_map(|(i, _)| s[i..].find(';').map(|j| &s[i..=i + j]));
    props.chain(entities).collect()
}

/// What one dependency declaration came to in the context of one project.
enum Outcome {
    Project(usize),
    Component(Box<Component>),
    Unresolved(Diagnostic),
}

struct Reactor {
    poms: Vec<Pom>,
    parent: Vec<Option<usize>>,
    ctx: Vec<Ctx>,
    management: Vec<Option<Rc<Management>>>,
    /// POMs whose management is being computed (import cycles).
    busy: Vec<bool>,
    /// Diagnostics keyed by place and code: an inherited declaration is
    /// evaluated in every child, but reported once.
    diags: BTreeMap<(Location, String), Diagnostic>,
}

impl Reactor {
    fn new(poms: Vec<Pom>) -> Reactor {
        let n = poms.len();
        let mut r = Reactor {
            poms,
            parent: vec![None; n],
            ctx: Vec::new(),
            management: vec![None; n],
            busy: vec![false; n],
            diags: BTreeMap::new(),
        };
        r.link_parents();
        r
    }

    fn report(&mut self, d: Diagnostic) {
        self.diags.entry((d.location.clone(), d.code.clone())).or_insert(d);
    }

    /// Find each POM's parent in the tree: by `<relativePath>` first, then by
    /// coordinates among all POMs (as Maven's reactor does), then break cycles.
    fn link_parents(&mut self) {
        let by_path: BTreeMap<&str, usize> = self.poms.iter().enumerate().map(|(i, p)| (p.path.as_str(), i)).collect();
        for (i, pom) in self.poms.iter().enumerate() {
            let Some(pref) = &pom.parent else { continue };
            let rel = pref.relative_path.as_deref().unwrap_or("../pom.xml");
            if rel.is_empty() {
                continue;
            }
            let Some(mut target) = join_rel(parent_dir(&pom.path), rel) else { continue };
            if !target.ends_with(".xml") {
                target = join_rel(&target, "pom.xml").unwrap_or_default();
            }
            let Some(&j) = by_path.get(target.as_str()) else { continue };
            let cand = &self.poms[j];
            // Maven 4 may leave the parent's coordinates out and infer them from the file.
            let group_ok = pref.group.is_none() || pref.group == effective_group(cand);
            let artifact_ok = pref.artifact.is_none() || pref.artifact == cand.artifact;
            if j != i && group_ok && artifact_ok {
                self.parent[i] = Some(j);
            }
        }
        self.ctx = (0..self.poms.len()).map(|i| self.build_ctx(i)).collect();
        let mut by_gav: BTreeMap<Gav, usize> = BTreeMap::new();
        for i in 0..self.poms.len() {
            if let Some(gav) = self.gav(i) {
                by_gav.entry(gav).or_insert(i);
            }
        }
        for i in 0..self.poms.len() {
            if self.parent[i].is_some() {
                continue;
            }
            let Some(pref) = &self.poms[i].parent else { continue };
            let (Some(g), Some(a), Some(v)) = (&pref.group, &pref.artifact, &pref.version) else { continue };
            let key = (g.clone(), a.clone(), self.ctx[i].interp(v));
            if let Some(&j) = by_gav.get(&key).filter(|&&j| j != i) {
                self.parent[i] = Some(j);
            }
        }
        for i in 0..self.poms.len() {
            let mut seen = BTreeSet::from([i]);
            let mut cur = i;
            while let Some(p) = self.parent[cur] {
                if !seen.insert(p) {
                    let at = self.poms[cur].parent.as_ref().map(|r| r.line);
                    self.report(Diagnostic::error(
                        "maven::parent-cycle",
                        Location::new(self.poms[cur].path.clone(), at),
                        "parent chain loops back; the link is ignored",
                    ));
                    self.parent[cur] = None;
                    break;
                }
                cur = p;
            }
        }
        self.ctx = (0..self.poms.len()).map(|i| self.build_ctx(i)).collect();
    }

    /// The POM and its ancestors in the tree, nearest first.
    fn chain(&self, i: usize) -> Vec<usize> {
        let mut chain = vec![i];
        let mut cur = i;
        while let Some(p) = self.parent[cur] {
            if chain.contains(&p) {
                break;
            }
            chain.push(p);
            cur = p;
        }
        chain
    }

    fn build_ctx(&self, i: usize) -> Ctx {
        let pom = &self.poms[i];
        let pref = pom.parent.as_ref();
        let mut props = BTreeMap::new();
        for &a in self.chain(i).iter().rev() {
            props.extend(self.poms[a].properties.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let parent_pom = self.parent[i].map(|p| &self.poms[p]);
        Ctx {
            props,
            group: effective_group(pom).or_else(|| parent_pom.and_then(effective_group)),
            artifact: pom.artifact.clone(),
            version: pom
                .version
                .clone()
                .or_else(|| pref.and_then(|p| p.version.clone()))
                .or_else(|| parent_pom.and_then(|p| p.version.clone())),
            parent_group: pref.and_then(|p| p.group.clone()).or_else(|| parent_pom.and_then(effective_group)),
            parent_artifact: pref
                .and_then(|p| p.artifact.clone())
                .or_else(|| parent_pom.and_then(|p| p.artifact.clone())),
            parent_version: pref.and_then(|p| p.version.clone()).or_else(|| parent_pom.and_then(|p| p.version.clone())),
            packaging: pom.packaging.clone(),
        }
    }

    /// The POM's own coordinates, when all three resolve.
    fn gav(&self, i: usize) -> Option<Gav> {
        let c = &self.ctx[i];
        let g = c.interp(c.group.as_deref()?);
        let a = c.interp(c.artifact.as_deref()?);
        let v = c.interp(c.version.as_deref()?);
        (!unresolved(&g) && !unresolved(&a) && !unresolved(&v)).then_some((g, a, v))
    }

    fn key(&self, i: usize, d: &Dep) -> Key {
        let c = &self.ctx[i];
        (
            c.interp(&d.group),
            c.interp(&d.artifact),
            d.kind.as_deref().map_or_else(|| "jar".to_string(), |t| c.interp(t)),
            d.classifier.as_deref().map(|x| c.interp(x)).unwrap_or_default(),
        )
    }

    /// The effective `<dependencyManagement>` of a POM: its own entries, then
    /// its ancestors', then those of imported BOMs found in the tree.
    fn management(&mut self, i: usize, by_gav: &BTreeMap<Gav, usize>) -> Rc<Management> {
        if let Some(m) = &self.management[i] {
            return m.clone();
        }
        let mut m = Management::default();
        let mut imports = Vec::new();
        for a in self.chain(i) {
            for d in &self.poms[a].managed {
                let key = self.key(i, d);
                let is_import = d.scope.as_deref() == Some("import") && key.2 == "pom";
                if is_import {
                    imports.push((d.clone(), Location::new(self.poms[a].path.clone(), Some(d.line))));
                    continue;
                }
                let c = &self.ctx[i];
                m.entries.entry(key).or_insert_with(|| Managed {
                    version: d.version.as_deref().map(|v| c.interp(v)),
                    scope: d.scope.as_deref().map(|s| c.interp(s)),
                    at: Location::new(self.poms[a].path.clone(), Some(d.line)),
                });
            }
        }
        self.busy[i] = true;
        for (d, at) in imports {
            let c = &self.ctx[i];
            let version = d.version.as_deref().map(|v| c.interp(v)).unwrap_or_default();
            let gav = (c.interp(&d.group), c.interp(&d.artifact), version);
            match by_gav.get(&gav) {
                Some(&b) if self.busy[b] => self.report(Diagnostic::warning(
                    "maven::import-cycle",
                    at,
                    format!("BOM {}:{}:{} imports itself (directly or through other BOMs)", gav.0, gav.1, gav.2),
                )),
                Some(&b) => {
                    let bom = self.management(b, by_gav);
                    for (k, v) in &bom.entries {
                        m.entries.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                    m.external_boms.extend(bom.external_boms.iter().cloned());
                }
                None => m.external_boms.push(format!("{}:{}:{}", gav.0, gav.1, gav.2)),
            }
        }
        self.busy[i] = false;
        let m = Rc::new(m);
        self.management[i] = Some(m.clone());
        m
    }

    /// The parent reference that leaves the tree, for messages.
    fn external_parent(&self, i: usize) -> Option<String> {
        let top = *self.chain(i).last()?;
        let p = self.poms[top].parent.as_ref()?;
        Some(format!(
            "{}:{}:{}",
            p.group.as_deref().unwrap_or("?"),
            p.artifact.as_deref().unwrap_or("?"),
            p.version.as_deref().unwrap_or("?")
        ))
    }

    /// Own dependencies first, then inherited ones whose key the POM does not redeclare.
    fn effective_deps(&self, i: usize) -> Vec<(usize, Dep)> {
        let mut seen: BTreeSet<Key> = BTreeSet::new();
        let mut out = Vec::new();
        for a in self.chain(i) {
            let keys: Vec<Key> = self.poms[a].deps.iter().map(|d| self.key(i, d)).collect();
            for (d, k) in self.poms[a].deps.iter().zip(&keys) {
                if a == i || !seen.contains(k) {
                    out.push((a, d.clone()));
                }
            }
            seen.extend(keys);
        }
        out
    }

    fn resolve(&mut self, i: usize, declared_in: usize, d: &Dep, by_gav: &BTreeMap<Gav, usize>) -> Outcome {
        let at = Location::new(self.poms[declared_in].path.clone(), Some(d.line));
        let key = self.key(i, d);
        let (group, artifact, kind, classifier) = key.clone();
        let name = format!("{group}:{artifact}");
        let management = self.management(i, by_gav);
        let managed = management.entries.get(&key);
        let c = &self.ctx[i];
        let version = d.version.as_deref().map(|v| c.interp(v)).or_else(|| managed.and_then(|m| m.version.clone()));
        let scope = d.scope.as_deref().map(|s| c.interp(s)).or_else(|| managed.and_then(|m| m.scope.clone()));
        let outside = |with_boms: bool| {
            let mut why = Vec::new();
            if let Some(p) = self.external_parent(i) {
                why.push(format!("parent {p} is outside the tree"));
            }
            if with_boms && !management.external_boms.is_empty() {
                why.push(format!("imported BOMs outside the tree: {}", management.external_boms.join(", ")));
            }
            if why.is_empty() { String::new() } else { format!(" ({})", why.join("; ")) }
        };
        let Some(version) = version else {
            return Outcome::Unresolved(Diagnostic::warning(
                "maven::unresolved-version",
                at,
                format!(
                    "{name} has no version and no <dependencyManagement> entry in the tree manages it{}",
                    outside(true)
                ),
            ));
        };
        if unresolved(&group)
            || unresolved(&artifact)
            || unresolved(&version)
            || unresolved(&kind)
            || unresolved(&classifier)
        {
            let missing: Vec<&str> =
                [&group, &artifact, &version, &kind, &classifier].iter().flat_map(|s| references(s)).collect();
            return Outcome::Unresolved(Diagnostic::warning(
                "maven::unresolved-version",
                at,
                format!("{name}:{version}: {} not defined in the tree{}", missing.join(", "), outside(false)),
            ));
        }
        let pinned = match pin(&version) {
            Ok(v) => v,
            Err(why) => {
                return Outcome::Unresolved(Diagnostic::warning(
                    "maven::version-range",
                    at,
                    format!("{name}: version {version} is {why}; the version Maven picks depends on the repository"),
                ));
            }
        };
        if let Some(&j) = by_gav.get(&(group.clone(), artifact.clone(), pinned.to_string())) {
            return Outcome::Project(j);
        }
        let optional = d.optional.as_deref().map(|o| c.interp(o)).is_some_and(|o| o.trim() == "true");
        let scope = match scope_of(scope.as_deref(), optional) {
            Ok(s) => s,
            Err(msg) => {
                self.report(Diagnostic::warning("maven::scope", at.clone(), format!("{name}: {msg}")));
                Scope::Required
            }
        };
        let mut comp = Component::new(Ecosystem::Maven, Some(&group), &artifact, pinned);
        let mut purl =
            Purl::new("maven", Some(&group), &artifact, Some(pinned)).qualifier("classifier", classifier.as_str());
        if kind != "jar" {
            purl = purl.qualifier("type", kind.as_str());
        }
        comp.purl = purl.to_string();
        comp.scope = Some(scope);
        comp.locations.push(at);
        if pinned != version {
            comp.properties.insert("sovra:maven:requested-version".into(), version.clone());
        }
        if let Some(profile) = &d.profile {
            comp.properties.insert("sovra:maven:profile".into(), profile.clone());
        }
        if d.version.is_none()
            && let Some(m) = managed
        {
            comp.properties.insert("sovra:maven:managed-at".into(), m.at.to_string());
        }
        Outcome::Component(Box::new(comp))
    }

    fn project_refs(&mut self) -> (Vec<String>, BTreeMap<Gav, usize>) {
        let mut by_gav = BTreeMap::new();
        let mut refs = Vec::new();
        for i in 0..self.poms.len() {
            let r = match self.gav(i) {
                Some(gav) if !by_gav.contains_key(&gav) => {
                    let r = Purl::new("maven", Some(&gav.0), &gav.1, Some(&gav.2)).to_string();
                    by_gav.insert(gav, i);
                    r
                }
                Some((g, a, v)) => {
                    self.report(Diagnostic::warning(
                        "maven::duplicate-coordinates",
                        Location::new(self.poms[i].path.clone(), Some(self.poms[i].line)),
                        format!(
                            "{g}:{a}:{v} is also defined by {}",
                            self.poms[by_gav[&(g.clone(), a.clone(), v.clone())]].path
                        ),
                    ));
                    sovra_core::project_ref(&self.poms[i].path)
                }
                None => sovra_core::project_ref(&self.poms[i].path),
            };
            refs.push(r);
        }
        (refs, by_gav)
    }

    fn emit(&mut self, out: &mut Parsed) {
        let (refs, by_gav) = self.project_refs();
        let mut components: BTreeMap<String, Component> = BTreeMap::new();
        let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
        for i in 0..self.poms.len() {
            out.projects.push(self.project(i, &refs[i]));
            self.check_modules(i);
            for (declared_in, d) in self.effective_deps(i) {
                match self.resolve(i, declared_in, &d, &by_gav) {
                    Outcome::Project(j) => {
                        edges.insert((refs[i].clone(), refs[j].clone()));
                    }
                    Outcome::Component(c) => {
                        edges.insert((refs[i].clone(), c.purl.clone()));
                        match components.get_mut(&c.purl) {
                            Some(existing) => existing.merge(*c),
                            None => {
                                components.insert(c.purl.clone(), *c);
                            }
                        }
                    }
                    Outcome::Unresolved(diag) => self.report(diag),
                }
            }
        }
        out.components = components.into_values().collect();
        out.edges = edges.into_iter().collect();
    }

    fn check_modules(&mut self, i: usize) {
        let dir = parent_dir(&self.poms[i].path).to_string();
        let missing: Vec<(String, u32)> = self.poms[i]
            .modules
            .iter()
            .filter(|(m, _)| {
                let target = join_rel(&dir, m)
                    .map(|t| if t.ends_with(".xml") { t } else { join_rel(&t, "pom.xml").unwrap_or(t) });
                !target.is_some_and(|t| self.poms.iter().any(|p| p.path == t))
            })
            .cloned()
            .collect();
        for (m, line) in missing {
            self.report(Diagnostic::warning(
                "maven::missing-module",
                Location::new(self.poms[i].path.clone(), Some(line)),
                format!("module {m} is not in the scanned tree; its dependencies are not listed"),
            ));
        }
    }

    fn project(&self, i: usize, bom_ref: &str) -> Project {
        let pom = &self.poms[i];
        let c = &self.ctx[i];
        let get = |v: &Option<String>| v.as_deref().map(|s| c.interp(s));
        let chain = self.chain(i);
        let mut comp = match self.gav(i) {
            Some((g, a, v)) => Component::new(Ecosystem::Maven, Some(&g), &a, &v),
            None => Component {
                ecosystem: Some(Ecosystem::Maven),
                namespace: get(&c.group),
                name: get(&c.artifact).unwrap_or_default(),
                version: get(&c.version).unwrap_or_default(),
                ..Component::default()
            },
        };
        comp.scope = None;
        comp.source = Source::Path { path: parent_dir(&pom.path).to_string() };
        comp.locations.push(Location::new(pom.path.clone(), Some(pom.line)));
        comp.description = get(&pom.description);
        // Maven appends the child's path to an inherited <url> and <scm>, so
        // only the POM's own are used; organisation and licences inherit as they are.
        comp.homepage = get(&pom.url);
        comp.repository_url = get(&pom.scm_url);
        comp.authors.extend(chain.iter().find_map(|&a| self.poms[a].organization.as_deref()).map(|s| c.interp(s)));
        if let Some(&a) = chain.iter().find(|&&a| !self.poms[a].licences.is_empty()) {
            let mut urls = Vec::new();
            for l in &self.poms[a].licences {
                let Some(raw) = l.name.as_deref().or(l.url.as_deref()) else { continue };
                let mut d = DeclaredLicense::raw(raw);
                d.source = Some(Location::new(self.poms[a].path.clone(), Some(l.line)));
                comp.declared_licenses.push(d);
                urls.extend(l.url.clone());
            }
            if !urls.is_empty() {
                comp.properties.insert("sovra:maven:license-urls".into(), urls.join(" "));
            }
        }
        let mut set = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                comp.properties.insert(format!("sovra:maven:{k}"), v);
            }
        };
        set("name", get(&pom.name));
        set("packaging", get(&pom.packaging));
        set(
            "parent",
            pom.parent.as_ref().map(|p| {
                let f = |v: &Option<String>| get(v).unwrap_or_else(|| "?".into());
                format!("{}:{}:{}", f(&p.group), f(&p.artifact), f(&p.version))
            }),
        );
        Project {
            bom_ref: bom_ref.to_string(),
            component: comp,
            manifest: Location::new(pom.path.clone(), Some(pom.line)),
        }
    }
}

fn effective_group(p: &Pom) -> Option<String> {
    p.group.clone().or_else(|| p.parent.as_ref().and_then(|r| r.group.clone()))
}

/// A version a build can pin without a repository: a plain version, or the
/// one-element range `[1.5]`. `Err` says why not.
fn pin(version: &str) -> Result<&str, &'static str> {
    let v = version.trim();
    if let Some(inner) = v.strip_prefix('[').and_then(|r| r.strip_suffix(']'))
        && !inner.contains([',', '[', '(', ']', ')'])
        && !inner.trim().is_empty()
    {
        return Ok(inner.trim());
    }
    if v.contains(['[', '(', ']', ')', ',']) {
        return Err("a version range");
    }
    if v == "LATEST" || v == "RELEASE" {
        return Err("a meta-version");
    }
    if v.is_empty() {
        return Err("empty");
    }
    Ok(v)
}

fn scope_of(scope: Option<&str>, optional: bool) -> Result<Scope, String> {
    Ok(match scope.map(str::trim).unwrap_or("compile") {
        "compile" | "runtime" if optional => Scope::Optional,
        "compile" | "runtime" => Scope::Required,
        "test" => Scope::Dev,
        "provided" | "system" => Scope::Excluded,
        "import" => return Err("scope import is only meaningful in <dependencyManagement>".into()),
        other => return Err(format!("unknown scope {other:?}, treated as compile")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(props: &[(&str, &str)]) -> Ctx {
        Ctx {
            props: props.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            version: Some("1.0".into()),
            ..Ctx::default()
        }
    }

    #[test]
    fn interpolation_is_nested_and_cycle_safe() {
        let c = ctx(&[("a", "${b}-x"), ("b", "${project.version}"), ("loop", "${loop2}"), ("loop2", "${loop}")]);
        assert_eq!(c.interp("${a}/${pom.version}/${version}"), "1.0-x/1.0/1.0");
        assert_eq!(c.interp("${missing}.${a}"), "${missing}.1.0-x");
        assert!(unresolved(&c.interp("${loop}")));
        assert_eq!(references("${a}-&ent;-${b"), ["${a}", "&ent;"]);
        assert_eq!(c.interp("${unterminated"), "${unterminated");
    }

    #[test]
    fn property_bomb_is_bounded() {
        let mut props: Vec<(String, String)> =
            (0..40).map(|i| (format!("p{i}"), format!("${{p{}}}${{p{}}}", i + 1, i + 1))).collect();
        props.push(("p40".into(), "xxxxxxxx".into()));
        let c = Ctx { props: props.into_iter().collect(), ..Ctx::default() };
        assert_eq!(c.interp("${p0}"), "${p0}");
    }

    #[test]
    fn ranges_are_not_pinned() {
        assert_eq!(pin("1.2"), Ok("1.2"));
        assert_eq!(pin("[1.5]"), Ok("1.5"));
        assert!(pin("[1.0,2.0)").is_err());
        assert!(pin("(,1.0]").is_err());
        assert!(pin("RELEASE").is_err());
    }

    #[test]
    fn scopes_map_to_the_model() {
        assert_eq!(scope_of(None, false), Ok(Scope::Required));
        assert_eq!(scope_of(Some("runtime"), true), Ok(Scope::Optional));
        assert_eq!(scope_of(Some("test"), true), Ok(Scope::Dev));
        assert_eq!(scope_of(Some("system"), false), Ok(Scope::Excluded));
        assert!(scope_of(Some("import"), false).is_err());
        assert!(scope_of(Some("weird"), false).is_err());
    }
}
