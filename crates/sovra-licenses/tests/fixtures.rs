//! Detection on inputs that do not need the corpus: the hand-written files in
//! `fixtures/licenses/` and full SPDX texts dressed the way real licence
//! files are (markdown, HTML, CRLF, BOM, UTF-16, reflowed lines, copyright
//! lines, two licences in one file, an edited text).

use std::sync::OnceLock;

use sovra_licenses::{Detection, Detector, Method};

fn detector() -> &'static Detector {
    static D: OnceLock<Detector> = OnceLock::new();
    D.get_or_init(Detector::new)
}

fn detect(text: &str) -> Detection {
    detector().detect(text.as_bytes())
}

fn spdx_text(id: &str) -> &'static str {
    spdx::text::LICENSE_TEXTS.iter().find(|(i, _)| *i == id).map(|(_, t)| *t).expect("known id")
}

fn fixture(name: &str) -> Detection {
    let path = sovra_core::testing::fixtures_dir().join("licenses").join(name);
    detector().detect(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// Re-wrap a text at `width` columns, as many projects' copies are.
fn reflow(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        if line + word.len() > width {
            out.push('\n');
            line = 0;
        }
        out.push_str(word);
        out.push(' ');
        line += word.len() + 1;
    }
    out
}

#[test]
fn plain_full_texts_of_common_licences() {
    for (id, want) in [
        ("MIT", "MIT"),
        ("Apache-2.0", "Apache-2.0"),
        ("BSD-2-Clause", "BSD-2-Clause"),
        ("BSD-3-Clause", "BSD-3-Clause"),
        ("ISC", "ISC"),
        ("MPL-2.0", "MPL-2.0"),
        ("GPL-2.0-only", "GPL-2.0-only"),
        ("GPL-3.0-only", "GPL-3.0-only"),
        ("LGPL-2.1-only", "LGPL-2.1-only"),
        ("AGPL-3.0-only", "AGPL-3.0-only"),
        ("EUPL-1.2", "EUPL-1.2"),
        ("Unlicense", "Unlicense"),
        ("BSL-1.0", "BSL-1.0"),
        ("Zlib", "Zlib"),
        ("CC0-1.0", "CC0-1.0"),
    ] {
        let d = detect(spdx_text(id));
        assert_eq!(d.expression, want, "{id}: {d:?}");
        assert_eq!(d.method, Method::Text, "{id}");
        assert!(d.confidence > 0.9, "{id}: {d:?}");
    }
}

#[test]
fn dressed_texts() {
    let mit = spdx_text("MIT");
    let markdown = format!("# The MIT License\n\nCopyright (c) 2020 **Jane Doe**\n\n{}", reflow(mit, 72));
    assert_eq!(detect(&markdown).expression, "MIT");
    let html = format!(
        "<html><body><h1>License</h1><p>Copyright &copy; 2020 Jane</p><p>{}</p></body></html>",
        mit.replace("\n\n", "</p><p>").replace('"', "&quot;")
    );
    assert_eq!(detect(&html).expression, "MIT");
    let crlf = format!("\u{feff}{}", spdx_text("BSD-3-Clause").replace('\n', "\r\n"));
    assert_eq!(detect(&crlf).expression, "BSD-3-Clause");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(spdx_text("ISC").encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(detector().detect(&utf16).expression, "ISC");
    let narrow = reflow(spdx_text("Apache-2.0"), 40);
    assert_eq!(detect(&narrow).expression, "Apache-2.0");
}

#[test]
fn two_texts_in_one_file_are_and() {
    let both = format!("{}\n\n---\n\n{}", spdx_text("MIT"), spdx_text("Apache-2.0"));
    let d = detect(&both);
    assert_eq!(d.expression, "MIT AND Apache-2.0", "{d:?}");
    assert_eq!(d.matched.len(), 2);
}

#[test]
fn bsd_variants_are_told_apart() {
    // BSD-2-Clause is contained in BSD-3-Clause: the larger complete match wins.
    assert_eq!(detect(spdx_text("BSD-3-Clause")).expression, "BSD-3-Clause");
    assert_eq!(detect(spdx_text("BSD-2-Clause")).expression, "BSD-2-Clause");
    assert_eq!(detect(spdx_text("BSD-4-Clause")).expression, "BSD-4-Clause");
}

#[test]
fn gpl_text_with_or_later_notice() {
    let notice = "This program is free software; you can redistribute it and/or modify it under the terms of \
        the GNU General Public License as published by the Free Software Foundation; either version 2 of the \
        License, or (at your option) any later version.\n\n";
    let d = detect(&format!("{notice}{}", spdx_text("GPL-2.0-only")));
    assert_eq!(d.expression, "GPL-2.0-or-later", "{d:?}");
    // The GPL's own "how to apply" appendix is not a notice.
    assert_eq!(detect(spdx_text("GPL-2.0-only")).expression, "GPL-2.0-only");
}

#[test]
fn edited_text_is_noassertion_with_the_closest_named() {
    let mit = spdx_text("MIT");
    let cut = mit.find("THE SOFTWARE IS PROVIDED").expect("warranty clause");
    let edited = format!(
        "{}The Software shall not be used for military purposes, nor by any government agency, nor for \
         any commercial activity without a separate written agreement with the authors, which they may \
         refuse for any reason or no reason at all.\n\n{}",
        &mit[..cut],
        &mit[cut..]
    );
    let d = detect(&edited);
    assert_eq!(d.expression, "NOASSERTION", "{d:?}");
    assert_eq!(d.method, Method::Modified);
    assert_eq!(d.matched, ["MIT"]);
}

#[test]
fn notices_and_headers() {
    for (file, want) in [
        ("apache-notice.txt", "Apache-2.0"),
        ("gpl2-or-later-header.c", "GPL-2.0-or-later"),
        ("gpl2-only-header.c", "GPL-2.0-only"),
        ("spdx-tag.rs", "MIT OR Apache-2.0"),
        ("dual/LICENSE", "MIT OR LGPL-2.1-or-later"),
        ("classpath-notice.txt", "GPL-2.0-only WITH Classpath-exception-2.0"),
        ("tree/sub/COPYING", "GPL-3.0-or-later"),
    ] {
        let d = fixture(file);
        assert_eq!(d.expression, want, "{file}: {d:?}");
        assert!(d.confidence > 0.5 && d.confidence <= 1.0, "{file}: {d:?}");
    }
}

#[test]
fn nothing_to_find() {
    assert_eq!(fixture("copyright-only.txt").expression, "NONE");
    assert_eq!(fixture("empty.txt").expression, "NONE");
    assert_eq!(fixture("not-a-licence.md").expression, "NOASSERTION");
    let garbage = fixture("garbage.bin");
    assert!(garbage.expression == "NOASSERTION" || garbage.expression == "NONE", "{garbage:?}");
}

#[test]
fn every_result_is_a_valid_expression() {
    for (id, text) in spdx::text::LICENSE_TEXTS.iter().step_by(7) {
        let d = detect(text);
        assert!(
            d.expression == "NOASSERTION" || d.expression == "NONE" || spdx::Expression::parse(&d.expression).is_ok(),
            "{id}: {d:?}"
        );
    }
}

#[test]
fn several_licences_in_one_notice_get_their_own_operators() {
    for (file, want) in [
        // Choice between two, an exception on one of them, and a third part AND-ed.
        (
            "notices/dual-header-with-incorporated-mit.java",
            "(CDDL-1.1 OR GPL-2.0-only WITH Classpath-exception-2.0) AND MIT",
        ),
        // "Alternatively" after the GPL notice's own later mentions.
        ("notices/gpl3-alternatively-apache.txt", "GPL-3.0-only OR Apache-2.0"),
        // Different parts under different licences; unversioned "Lesser" is 2.1+.
        ("notices/mixed-parts.txt", "Apache-2.0 AND LGPL-2.1-or-later"),
        // "Dual licensed under A and B" is a choice.
        ("notices/dual-licensed-jquery-style.js", "MIT OR GPL-1.0-or-later"),
        // A bare "BSD license" is read as BSD-3-Clause.
        ("notices/bsd-alternative.h", "GPL-2.0-only OR BSD-3-Clause"),
        // An unversioned Artistic License is Perl's.
        ("notices/perl-style.txt", "GPL-1.0-or-later OR Artistic-1.0-Perl"),
        // A licence the notice denies is not granted.
        ("notices/negated.txt", "MPL-2.0"),
        // The Eclipse EPL + EDL boilerplate offers a choice.
        ("notices/eclipse-dual.java", "EPL-2.0 OR BSD-3-Clause"),
        // "Lesser" and a bare "LGPL" in one file: the more specific reading.
        ("notices/lesser-unversioned.txt", "LGPL-2.1-or-later"),
    ] {
        let d = fixture(file);
        assert_eq!(d.expression, want, "{file}: {d:?}");
        assert_eq!(d.method, Method::Reference, "{file}");
    }
}

#[test]
fn urls_of_licence_texts_and_of_projects() {
    for (file, want) in [
        ("urls/licence-url-only.txt", "BSD-2-Clause"),
        ("urls/gnu-url-only.txt", "LGPL-2.1-only"),
        ("urls/cc-url-only.txt", "CC-BY-NC-SA-4.0"),
    ] {
        assert_eq!(fixture(file).expression, want, "{file}");
    }
    // What a project's own LICENSE file says cannot be known offline.
    let d = fixture("urls/project-url-only.txt");
    assert_eq!(d.expression, "NOASSERTION");
    assert_eq!(d.method, Method::UrlOnly);
    assert_eq!(
        d.matched,
        ["licence is referenced by URL only: https://github.com/example-org/example-project/blob/main/LICENSE.md"]
    );
    // A project URL next to a licence name does not hide the name.
    let named = detect("Licensed under the MIT License, see https://github.com/x/mit-scheme/blob/main/LICENSE");
    assert_eq!(named.expression, "MIT", "{named:?}");
}

#[test]
fn nested_variants_with_renamed_holders() {
    // The holder's name replaces "the copyright holder" and the disclaimer
    // wraps mid-phrase: still BSD-3-Clause, not the BSD-2-Clause it contains.
    let bsd3 = spdx_text("BSD-3-Clause")
        .replace("the copyright holder", "Example Widgets GmbH")
        .replace("COPYRIGHT HOLDER OR", "COPYRIGHT\nOWNER OR");
    assert_eq!(detect(&reflow(&bsd3, 66)).expression, "BSD-3-Clause");
    let bsd2 = format!("Copyright (c) 2001 Jane Roe\n\n{}", reflow(spdx_text("BSD-2-Clause"), 60));
    assert_eq!(detect(&bsd2).expression, "BSD-2-Clause");
    // The UC variant's extra acknowledgement clause picks it over BSD-4-Clause.
    assert_eq!(detect(spdx_text("BSD-4-Clause-UC")).expression, "BSD-4-Clause-UC");
}

#[test]
fn a_text_embedding_another_is_found_by_its_own_part() {
    // The SPDX LGPL-3.0 text is the LGPL's own terms followed by the GPL-3.0;
    // most copies (COPYING.LESSER) carry only the former.
    let full = spdx_text("LGPL-3.0-only");
    let own = &full[..full.find("GNU GENERAL PUBLIC LICENSE").expect("embedded GPL")];
    assert_eq!(detect(own).expression, "LGPL-3.0-only");
    assert_eq!(detect(full).expression, "LGPL-3.0-only");
    // The GPL-3.0 alone is still the GPL.
    assert_eq!(detect(spdx_text("GPL-3.0-only")).expression, "GPL-3.0-only");
}

#[test]
fn a_clause_added_inside_a_long_text_makes_it_modified() {
    let apache = spdx_text("Apache-2.0");
    let at = apache.find("3. Grant of Patent License").expect("section 3");
    let edited = format!(
        "{}2a. Field of Use. Notwithstanding the above, no right is granted to use the Work or any Derivative \
         Works for any commercial purpose, nor to offer them as a hosted service to third parties, without a \
         separate written agreement with the Licensor.\n\n{}",
        &apache[..at],
        &apache[at..]
    );
    let d = detect(&edited);
    assert_eq!(d.expression, "NOASSERTION", "{d:?}");
    assert_eq!(d.method, Method::Modified);
    assert_eq!(d.matched, ["Apache-2.0"]);
    // A note after the end of the text (the GPL-2.0's closing paragraph,
    // absent from the SPDX copy) is no edit.
    let gpl = format!(
        "{}\n\nThis General Public License does not permit incorporating your program into proprietary \
         programs. If your program is a subroutine library, you may consider it more useful to permit linking \
         proprietary applications with the library. If this is what you want to do, use the GNU Lesser General \
         Public License instead of this License.\n",
        spdx_text("GPL-2.0-only")
    );
    assert_eq!(detect(&gpl).expression, "GPL-2.0-only");
}

#[test]
fn a_short_text_between_a_preamble_and_a_note() {
    // Common phrases of the preamble and the note ("this software", "the
    // authors") must not stretch the match over them and make it look edited.
    let text = format!(
        "In the interest of open standards, Example Corp. has contributed this software to the public.\n\n\
         Copyright (c) 2004 Example Corp.\n\n{}\n\nPlease report any problems with this software to the \
         authors, so that all users of this software may benefit.\n",
        spdx_text("ISC")
    );
    let d = detect(&text);
    assert_eq!(d.expression, "ISC", "{d:?}");
    assert!(d.confidence > 0.9, "{d:?}");
}

#[test]
fn terms_without_their_how_to_apply_appendix() {
    // Many packages (requests, typescript, packaging) ship Apache-2.0 up to
    // section 9 only; the Pixar licence is those same sections with one
    // changed, so the copy must not read as both.
    for id in ["Apache-2.0", "GPL-2.0-only", "GPL-3.0-only"] {
        let full = spdx_text(id);
        let terms = &full[..full.find("END OF TERMS AND CONDITIONS").expect("appendix")];
        let d = detect(terms);
        assert_eq!(d.expression, id, "{d:?}");
        assert!(d.confidence > 0.95, "{id}: {d:?}");
    }
    // Pixar's own text is still Pixar.
    assert_eq!(detect(spdx_text("Pixar")).expression, "Pixar");
}

#[test]
fn a_licence_made_from_another_is_not_that_licence() {
    // Shaped like wrk's "Modified Apache 2.0 License": Apache's terms
    // under a title of their own, with a condition added to section 4 that
    // shares common phrases ("of the Work") with the text around it, so
    // that no stretch of it alone is a clause's length.
    let apache = spdx_text("Apache-2.0");
    let terms = &apache[apache.find("TERMS AND CONDITIONS").expect("terms")..apache.find("END OF TERMS").expect("end")];
    let at = terms.find("You may add Your own copyright statement").expect("end of section 4");
    let modified = format!(
        "Modified Apache 2.0 License\nVersion 2.0.1, March 2020\n\n{}Where a build changes what users see of \
         the Work, then you shall rename each such build of the Work and tell your users of it plainly.\n\n{}",
        &terms[..at],
        &terms[at..]
    );
    let d = detect(&modified);
    assert_eq!(d.expression, "NOASSERTION", "{d:?}");
    assert_eq!(d.method, Method::Modified);
}

#[test]
fn a_licence_named_as_an_adjective_is_not_granted() {
    // Shaped like Font Awesome Free's LICENSE.txt.
    let text = "Example Icons Free License\n\nExample Icons Free is free, open source, and GPL friendly. You can \
        use it for almost anything.\n\n# Icons: CC BY 4.0 License (https://creativecommons.org/licenses/by/4.0/)\n\n\
        The icons are licensed under a Creative Commons Attribution 4.0 International License.\n";
    let d = detect(text);
    assert_eq!(d.expression, "CC-BY-4.0", "{d:?}");
}

#[test]
fn short_texts_one_after_another_are_each_found() {
    // Shaped like fs.realpath's LICENSE: an ISC text, then an MIT one for
    // bundled code. The MIT text shares phrases with the ISC text ("the
    // above copyright notice and this permission notice", "in no event
    // shall") that must not pull the ISC text into the MIT match.
    let isc_mit = format!(
        "{}\n\n----\n\nThis library bundles code from another project, whose licence follows:\n\n{}",
        spdx_text("ISC"),
        spdx_text("MIT")
    );
    let d = detect(&isc_mit);
    assert_eq!(d.expression, "ISC AND MIT", "{d:?}");
    assert_eq!(d.method, Method::Text);
    // Shaped like readable-stream's LICENSE: the same text twice, a line
    // between the copies saying whose the second is. Neither copy is edited.
    let twice = format!(
        "Example is licensed as follows:\n\n\"\"\"\n{mit}\n\"\"\"\n\nThis license applies to the parts that \
         came from the older example project:\n\n\"\"\"\n{mit}\n\"\"\"\n",
        mit = spdx_text("MIT")
    );
    let d = detect(&twice);
    assert_eq!(d.expression, "MIT", "{d:?}");
    assert!(d.confidence > 0.9, "{d:?}");
}
