import Foundation
import Hummingbird

/// Every error the API returns: a status and a JSON body `{"error": ..., "detail": ...}`.
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let error: String
    public let detail: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ error: String, detail: String? = nil) {
        self.status = status
        self.error = error
        self.detail = detail
    }

    public static func notFound(_ what: String = "not found") -> APIError { APIError(.notFound, what) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: JSON.encode(Body(error: error, detail: detail)))))
    }

    struct Body: Encodable {
        let error: String
        let detail: String?
    }
}

/// JSON with the API's conventions: snake_case keys chosen by each type, ISO 8601 dates, sorted keys.
enum JSON {
    static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok,
                                       headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: encode(value))))
    }
}
