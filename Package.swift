// swift-tools-version:6.1
import PackageDescription

// C kernels are always built optimized (the last -O wins, so debug builds and
// `swift test` run fast kernels too). The file is compiled at the baseline ISA;
// each fast kernel carries its own target attribute and is picked once at start
// from CPUID (see Kernels/cpu.c), so one binary runs on any x86-64.
let kernelFlags: [String] = ["-O3", "-fno-math-errno", "-fno-trapping-math", "-Wall", "-Wno-unused-function"]

let package = Package(
    name: "Tally",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tally", targets: ["tally"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "CKernels",
            path: "Kernels",
            cSettings: [.unsafeFlags(kernelFlags)],
            linkerSettings: [
                .linkedLibrary("openblas"),
                .linkedLibrary("numa", .when(platforms: [.linux])),
                .linkedLibrary("pthread"),
                .linkedLibrary("m"),
            ]
        ),
        .target(
            name: "TallyModel",
            dependencies: ["CKernels"]
        ),
        .target(
            name: "TallyBench",
            dependencies: ["TallyModel"]
        ),
        .executableTarget(
            name: "tally",
            dependencies: [
                "TallyModel",
                "TallyBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "CKernelsTests",
            dependencies: ["CKernels"]
        ),
        .testTarget(
            name: "TallyCLITests",
            dependencies: ["tally"]
        ),
        .testTarget(
            name: "TallyBenchTests",
            dependencies: ["TallyBench"]
        ),
        .testTarget(
            name: "TallyModelTests",
            dependencies: ["TallyModel"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
