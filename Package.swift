// swift-tools-version:6.0
import Foundation
import PackageDescription

// Arrows point one way: C shims ← PtychoCore ← PtychoIO ← PtychoService ← ptychite.

/// The CPU that release builds target. The engines' element-wise kernels run ~1.5-2x faster with AVX2 + FMA
/// (every x86 server CPU since 2013), but such a binary dies with SIGILL on an older CPU, so the choice is
/// explicit: PTYCHITE_TARGET_CPU=haswell|x86-64|<any -target-cpu name>, or, when unset, Haswell if the
/// building machine has AVX2 and FMA and the baseline otherwise. The container pins it (see Containerfile).
let targetCPU: String? = {
    if let chosen = ProcessInfo.processInfo.environment["PTYCHITE_TARGET_CPU"] {
        return chosen.isEmpty || chosen == "generic" ? nil : chosen
    }
    #if arch(x86_64)
    if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
       info.contains(" avx2"), info.contains(" fma") {
        return "haswell"
    }
    #endif
    return nil
}()

let optimise: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo"] + (targetCPU.map { ["-target-cpu", $0] } ?? []),
                 .when(configuration: .release)),
]

let package = Package(
    name: "Ptychite",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ptychite", targets: ["ptychite"]),
        .library(name: "PtychoCore", targets: ["PtychoCore"]),
        .library(name: "PtychoIO", targets: ["PtychoIO"]),
        .library(name: "PtychoOpenCL", targets: ["PtychoOpenCL"]),
        .library(name: "PtychoService", targets: ["PtychoService"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Auth and metrics (issue 4): OIDC bearer tokens, JWKS over HTTPS, Prometheus exposition.
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Only for tests: RSA key generation (jwt-kit already builds it).
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        .systemLibrary(name: "CFFTW", path: "Sources/CFFTW", pkgConfig: "fftw3f",
                       providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        // Probe-mode orthogonalisation (issue 3, item 4): LAPACKE_cheev on OpenBLAS's LAPACK.
        .systemLibrary(name: "CLAPACKE", path: "Sources/CLAPACKE", pkgConfig: "openblas",
                       providers: [.apt(["liblapacke-dev", "libopenblas-dev"])]),
        .target(name: "PtychoCore", dependencies: ["CFFTW", "CLAPACKE"], swiftSettings: optimise),
        // The OpenCL GPU path (issue 5): the ICD loader, VkFFT's OpenCL backend behind plain C functions,
        // and the backend that implements PtychoCore's operators with OpenCL kernels.
        .systemLibrary(name: "COpenCL", path: "Sources/COpenCL", pkgConfig: "OpenCL",
                       providers: [.apt(["ocl-icd-opencl-dev", "opencl-headers"])]),
        .target(name: "CVkFFT", path: "Sources/CVkFFT",
                cSettings: [.define("VKFFT_BACKEND", to: "3"), .define("CL_TARGET_OPENCL_VERSION", to: "120"),
                            .unsafeFlags(["-w"])],
                linkerSettings: [.linkedLibrary("OpenCL")]),
        .target(name: "PtychoOpenCL", dependencies: ["PtychoCore", "COpenCL", "CVkFFT"], swiftSettings: optimise),
        .target(name: "PtychoIO", dependencies: ["PtychoCore", "CHDF5", "CPNG"], swiftSettings: optimise),
        .target(
            name: "PtychoService",
            dependencies: ["PtychoCore", "PtychoIO", "PtychoOpenCL",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           // Auth and metrics (issue 4).
                           .product(name: "JWTKit", package: "jwt-kit"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "Prometheus", package: "swift-prometheus")]),
        .executableTarget(
            name: "ptychite",
            dependencies: ["PtychoCore", "PtychoIO", "PtychoService", "PtychoOpenCL",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: optimise),
        .executableTarget(
            name: "PtychoBenchmarks", dependencies: ["PtychoCore", "PtychoOpenCL", "CFFTW"],
            path: "Benchmarks/PtychoBenchmarks", swiftSettings: optimise),
        .target(name: "PtychoTestSupport", dependencies: ["PtychoIO"], path: "Tests/PtychoTestSupport"),
        .testTarget(name: "PtychoCoreTests", dependencies: ["PtychoCore"]),
        .testTarget(name: "PtychoOpenCLTests", dependencies: ["PtychoCore", "PtychoOpenCL", "PtychoTestSupport"]),
        .testTarget(name: "PtychoIOTests", dependencies: ["PtychoCore", "PtychoIO", "PtychoTestSupport"]),
        .testTarget(name: "ptychiteTests", dependencies: ["PtychoCore", "PtychoIO", "ptychite", "PtychoTestSupport"],
                    exclude: ["README.md"]),
        .testTarget(name: "PtychoServiceTests",
                    dependencies: ["PtychoCore", "PtychoIO", "PtychoOpenCL", "PtychoService", "PtychoTestSupport", "ptychite",
                                   .product(name: "Hummingbird", package: "hummingbird"),
                                   .product(name: "HummingbirdTesting", package: "hummingbird"),
                                   .product(name: "Logging", package: "swift-log"),
                                   // OIDC tests sign their own tokens.
                                   .product(name: "JWTKit", package: "jwt-kit"),
                                   .product(name: "CryptoExtras", package: "swift-crypto")]),
    ]
)
