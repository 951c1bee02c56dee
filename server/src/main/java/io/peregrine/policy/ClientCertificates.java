package io.peregrine.policy;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Maps a verified TLS client certificate (mTLS) to a principal: its subject's common name (CN)
 * is the principal's name, and the scopes configured for that name are its grants. The TLS
 * layer has already checked the certificate against the trusted CAs; a name with no scopes
 * configured authenticates but may call nothing.
 */
public final class ClientCertificates {

    private final Map<String, List<String>> scopesByName;

    /** @param scopesByName the scopes of each certificate common name */
    public ClientCertificates(Map<String, List<String>> scopesByName) {
        this.scopesByName = Map.copyOf(Objects.requireNonNull(scopesByName, "scopesByName"));
    }

    /** Parses {@code cn=scope scope, cn=scope}. */
    public static ClientCertificates parse(String spec) {
        Map<String, List<String>> map = new java.util.LinkedHashMap<>();
        if (spec != null) {
            for (String part : spec.split(",")) {
                String entry = part.trim();
                if (entry.isEmpty()) {
                    continue;
                }
                int eq = entry.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("client certificate scopes : \"" + entry
                            + "\" (expected: common-name=scope scope ...)");
                }
                map.put(entry.substring(0, eq).trim(), List.of(entry.substring(eq + 1).trim().split("\\s+")));
            }
        }
        return new ClientCertificates(map);
    }

    /** The principal of a verified client certificate. */
    public Principal principal(X509Certificate certificate) {
        String cn = commonName(certificate);
        List<String> scopes = scopesByName.getOrDefault(cn, List.of());
        return new Principal(cn, "client-certificate", Grants.of(scopes), certificate.getNotAfter().getTime());
    }

    static String commonName(X509Certificate certificate) {
        String dn = certificate.getSubjectX500Principal().getName();
        try {
            for (Rdn rdn : new LdapName(dn).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdn.getValue());
                }
            }
        } catch (InvalidNameException e) {
            // fall through: the whole name is the principal
        }
        return dn;
    }
}
