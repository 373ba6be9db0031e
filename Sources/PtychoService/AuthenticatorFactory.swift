import Foundation
import Hummingbird
import Logging

extension ServiceConfiguration {
    /// The authenticator of the configured mode (a `validated()` configuration). In `oidc` mode the keys
    /// are fetched now: a JWKS file that does not parse stops the start; an unreachable JWKS URL is only
    /// logged (the issuer may come up later) and fetched again on the first token.
    public func makeAuthenticator(logger: Logger) async throws -> any Authenticator {
        switch authMode {
        case .none:
            return OpenAuthenticator()
        case .token:
            return TokenAuthenticator(tokens: [token ?? "": "user"])
        case .proxy:
            guard let header = HTTPFields.Element.Name(proxyUserHeader) else {
                throw ServiceConfigurationError("PTYCHITE_PROXY_USER_HEADER '\(proxyUserHeader)' is not an HTTP header name")
            }
            return ProxyAuthenticator(userHeader: header, trusted: proxyTrusted)
        case .oidc:
            guard let issuer = oidcIssuer, let audience = oidcAudience, let jwks = oidcJWKS else {
                throw ServiceConfigurationError("auth mode oidc needs PTYCHITE_OIDC_ISSUER, PTYCHITE_OIDC_AUDIENCE and PTYCHITE_OIDC_JWKS")
            }
            let source = JWKSSource(jwks)
            let authenticator = OIDCAuthenticator(issuer: issuer, audience: audience, jwks: source,
                                                  leeway: oidcLeewaySeconds, logger: logger)
            do {
                try await authenticator.loadKeys()
            } catch {
                if case .file = source { throw ServiceConfigurationError("PTYCHITE_OIDC_JWKS: \(error)") }
                logger.warning("OIDC keys not loaded yet (will retry on the first token): \(error)")
            }
            return authenticator
        }
    }
}
