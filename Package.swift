// swift-tools-version:6.0
import PackageDescription

// Arrows point one way: C shims ← PtychoCore ← PtychoIO ← ptychite.
let optimise: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

let package = Package(
    name: "Ptychite",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ptychite", targets: ["ptychite"]),
        .library(name: "PtychoCore", targets: ["PtychoCore"]),
        .library(name: "PtychoIO", targets: ["PtychoIO"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CFFTW", path: "Sources/CFFTW", pkgConfig: "fftw3f",
                       providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .target(name: "PtychoCore", dependencies: ["CFFTW"], swiftSettings: optimise),
        .target(name: "PtychoIO", dependencies: ["PtychoCore", "CHDF5", "CPNG"], swiftSettings: optimise),
        .executableTarget(
            name: "ptychite",
            dependencies: ["PtychoCore", "PtychoIO",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: optimise),
        .executableTarget(
            name: "PtychoBenchmarks", dependencies: ["PtychoCore", "PtychoIO"],
            path: "Benchmarks/PtychoBenchmarks", swiftSettings: optimise),
        .testTarget(name: "PtychoCoreTests", dependencies: ["PtychoCore"]),
        .testTarget(name: "PtychoIOTests", dependencies: ["PtychoCore", "PtychoIO"]),
        .testTarget(name: "ptychiteTests", dependencies: ["PtychoCore", "PtychoIO", "ptychite"],
                    exclude: ["README.md"]),
    ]
)
