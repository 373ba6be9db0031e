import Hummingbird

/// Header names HTTPTypes has no constant for. (`HTTPField` is reached as `HTTPFields.Element`: Hummingbird
/// does not re-export HTTPTypes, and the package does not depend on it directly.)
extension HTTPFields.Element.Name {
    static let lastEventID = Self("Last-Event-ID")!
    static let contentSecurityPolicy = Self("Content-Security-Policy")!
    static let contentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
