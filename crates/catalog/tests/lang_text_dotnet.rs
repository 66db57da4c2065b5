//! .NET deps.json cataloger on trimmed real manifests.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod lang_text_support;

use lang_text_support::*;
use tidewatch_catalog::lang::dotnet::DepsJsonCataloger;

#[test]
fn package_libraries_only() {
    let out = run_dir(&DepsJsonCataloger, "dotnet");
    assert_eq!(
        ids(&out.packages),
        [
            "AWSSDK.Core@3.7.10.6",
            "Microsoft.Extensions.DependencyInjection.Abstractions@6.0.0",
            "Microsoft.Extensions.DependencyInjection@6.0.0",
            "Microsoft.Extensions.Logging.Abstractions@6.0.0",
            "Microsoft.Extensions.Logging@6.0.0",
            "Microsoft.Extensions.Options@6.0.0",
            "Microsoft.Extensions.Primitives@6.0.0",
            "Newtonsoft.Json@13.0.1",
            "Newtonsoft.Json@13.0.1",
            "Serilog.Sinks.Console@4.0.1",
            "Serilog@2.10.0",
            "System.Diagnostics.DiagnosticSource@6.0.0",
            "System.Runtime.CompilerServices.Unsafe@6.0.0",
        ]
    );
    let nj = find(&out.packages, "Newtonsoft.Json");
    assert_eq!(nj.purl, "pkg:nuget/Newtonsoft.Json@13.0.1");
    assert_eq!(nj.ecosystem.as_deref(), Some("NuGet"));
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert_eq!(out.warnings[0].path, "app/invalid.deps.json");
}
