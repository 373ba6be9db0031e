import CPNG
import Foundation

/// Why a PNG could not be written or read; carries libpng's own message.
public enum PNGError: Error, Equatable, CustomStringConvertible {
    case write(path: String, message: String)
    case read(path: String, message: String)

    public var description: String {
        switch self {
        case .write(let path, let message): return "cannot write PNG \(path): \(message)"
        case .read(let path, let message): return "cannot read PNG \(path): \(message)"
        }
    }
}

/// 8-bit greyscale/RGB PNG files through libpng's simplified `png_image` API, which reports errors by
/// return value and message instead of `longjmp`, so no `setjmp` frame has to straddle Swift code.
public enum PNGFile {
    /// Writes `image` to `path` atomically: a temporary file beside it is renamed over `path`, so readers
    /// never see a half-written preview.
    public static func write(_ image: RasterImage, to path: String) throws {
        var descriptor = png_image()
        descriptor.version = UInt32(PNG_IMAGE_VERSION)
        descriptor.width = UInt32(image.width)
        descriptor.height = UInt32(image.height)
        descriptor.format = image.format == .grey ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
        let temporary = temporaryPath(beside: path)
        let stride = Int32(image.width * image.format.channels)
        let ok = image.pixels.withUnsafeBytes { buffer in
            png_image_write_to_file(&descriptor, temporary, 0, buffer.baseAddress, stride, nil)
        }
        guard ok != 0 else {
            let message = messageText(descriptor)
            png_image_free(&descriptor)
            unlink(temporary)
            throw PNGError.write(path: path, message: message)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw PNGError.write(path: path, message: "rename failed: \(reason)")
        }
    }

    /// Reads a PNG as 8-bit greyscale or RGB (colour files, palettes included, come back RGB; alpha is
    /// composited away).
    public static func read(_ path: String) throws -> RasterImage {
        var descriptor = png_image()
        descriptor.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&descriptor, path) != 0 else {
            let message = messageText(descriptor)
            png_image_free(&descriptor)
            throw PNGError.read(path: path, message: message)
        }
        let colour = descriptor.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        let format: RasterImage.Format = colour ? .rgb : .grey
        descriptor.format = colour ? UInt32(PNG_FORMAT_RGB) : UInt32(PNG_FORMAT_GRAY)
        let width = Int(descriptor.width), height = Int(descriptor.height)
        var pixels = [UInt8](repeating: 0, count: width * height * format.channels)
        let ok = pixels.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&descriptor, nil, buffer.baseAddress, Int32(width * format.channels), nil)
        }
        guard ok != 0 else {
            let message = messageText(descriptor)
            png_image_free(&descriptor)
            throw PNGError.read(path: path, message: message)
        }
        return RasterImage(width: width, height: height, format: format, pixels: pixels)
    }

    private static func messageText(_ descriptor: png_image) -> String {
        withUnsafeBytes(of: descriptor.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// A name in the same directory (so `rename` stays on one file system), unique per process and call.
    private static func temporaryPath(beside path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let token = UInt64.random(in: 0...UInt64.max)
        return directory + "/." + url.lastPathComponent + ".\(getpid()).\(String(token, radix: 16)).tmp"
    }
}
