// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net.pdu;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The User Information item of A-ASSOCIATE-RQ and -AC (PS3.7 Annex D.3.3, PS3.8 Annex D): maximum length,
 * implementation identity and the optional negotiations. Absent optional sub-items are {@code null} or empty lists.
 *
 * @param maxLength the largest P-DATA-TF variable field the sender will receive; 0 means no limit
 * @param implementationVersionName {@code null} when absent
 * @param asyncOps {@code null} when absent: synchronous operations only
 * @param userIdentity in a request; {@code null} when absent
 * @param userIdentityResponse in an accept, the server response; {@code null} when absent
 */
public record UserInformation(long maxLength, String implementationClassUid, String implementationVersionName,
        AsyncOpsWindow asyncOps, List<RoleSelection> roleSelections, List<ExtendedNegotiation> extendedNegotiations,
        List<CommonExtendedNegotiation> commonExtendedNegotiations, UserIdentity userIdentity,
        byte[] userIdentityResponse) {

    public UserInformation {
        Objects.requireNonNull(implementationClassUid);
        roleSelections = List.copyOf(roleSelections);
        extendedNegotiations = List.copyOf(extendedNegotiations);
        commonExtendedNegotiations = List.copyOf(commonExtendedNegotiations);
    }

    /** Only the mandatory sub-items. */
    public static UserInformation of(long maxLength, String implementationClassUid, String implementationVersionName) {
        return new UserInformation(maxLength, implementationClassUid, implementationVersionName, null, List.of(),
                List.of(), List.of(), null, null);
    }

    public UserInformation withAsyncOps(AsyncOpsWindow window) {
        return new UserInformation(maxLength, implementationClassUid, implementationVersionName, window,
                roleSelections, extendedNegotiations, commonExtendedNegotiations, userIdentity, userIdentityResponse);
    }

    public UserInformation withRoleSelections(List<RoleSelection> roles) {
        return new UserInformation(maxLength, implementationClassUid, implementationVersionName, asyncOps, roles,
                extendedNegotiations, commonExtendedNegotiations, userIdentity, userIdentityResponse);
    }

    public UserInformation withExtendedNegotiations(List<ExtendedNegotiation> list) {
        return new UserInformation(maxLength, implementationClassUid, implementationVersionName, asyncOps,
                roleSelections, list, commonExtendedNegotiations, userIdentity, userIdentityResponse);
    }

    public UserInformation withCommonExtendedNegotiations(List<CommonExtendedNegotiation> list) {
        return new UserInformation(maxLength, implementationClassUid, implementationVersionName, asyncOps,
                roleSelections, extendedNegotiations, list, userIdentity, userIdentityResponse);
    }

    public UserInformation withUserIdentity(UserIdentity identity) {
        return new UserInformation(maxLength, implementationClassUid, implementationVersionName, asyncOps,
                roleSelections, extendedNegotiations, commonExtendedNegotiations, identity, userIdentityResponse);
    }

    public UserInformation withUserIdentityResponse(byte[] response) {
        return new UserInformation(maxLength, implementationClassUid, implementationVersionName, asyncOps,
                roleSelections, extendedNegotiations, commonExtendedNegotiations, userIdentity,
                response == null ? null : response.clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserInformation u && u.maxLength == maxLength
                && u.implementationClassUid.equals(implementationClassUid)
                && Objects.equals(u.implementationVersionName, implementationVersionName)
                && Objects.equals(u.asyncOps, asyncOps) && u.roleSelections.equals(roleSelections)
                && u.extendedNegotiations.equals(extendedNegotiations)
                && u.commonExtendedNegotiations.equals(commonExtendedNegotiations)
                && Objects.equals(u.userIdentity, userIdentity)
                && Arrays.equals(u.userIdentityResponse, userIdentityResponse);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxLength, implementationClassUid, implementationVersionName, asyncOps, roleSelections,
                extendedNegotiations, commonExtendedNegotiations, userIdentity, Arrays.hashCode(userIdentityResponse));
    }

    /** Maximum operations invoked and performed; 0 means unlimited (PS3.7 D.3.3.3). */
    public record AsyncOpsWindow(int invoked, int performed) {}

    /** SCP/SCU role selection for one SOP class (PS3.7 D.3.3.4). */
    public record RoleSelection(String sopClassUid, boolean scu, boolean scp) {}

    /** Service-class specific application information for one SOP class (PS3.7 D.3.3.5). */
    public record ExtendedNegotiation(String sopClassUid, byte[] info) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ExtendedNegotiation e && e.sopClassUid.equals(sopClassUid)
                    && Arrays.equals(e.info, info);
        }

        @Override
        public int hashCode() {
            return sopClassUid.hashCode() * 31 + Arrays.hashCode(info);
        }
    }

    /** SOP class common extended negotiation (PS3.7 D.3.3.6). */
    public record CommonExtendedNegotiation(String sopClassUid, String serviceClassUid,
            List<String> relatedGeneralSopClasses) {
        public CommonExtendedNegotiation {
            relatedGeneralSopClasses = List.copyOf(relatedGeneralSopClasses);
        }
    }

    /** User identity negotiation request (PS3.7 D.3.3.7). */
    public record UserIdentity(int type, boolean positiveResponseRequested, byte[] primaryField,
            byte[] secondaryField) {
        public static final int USERNAME = 1;
        public static final int USERNAME_AND_PASSCODE = 2;
        public static final int KERBEROS = 3;
        public static final int SAML = 4;
        public static final int JWT = 5;

        @Override
        public boolean equals(Object o) {
            return o instanceof UserIdentity u && u.type == type
                    && u.positiveResponseRequested == positiveResponseRequested
                    && Arrays.equals(u.primaryField, primaryField) && Arrays.equals(u.secondaryField, secondaryField);
        }

        @Override
        public int hashCode() {
            return Objects.hash(type, positiveResponseRequested, Arrays.hashCode(primaryField),
                    Arrays.hashCode(secondaryField));
        }

        @Override
        public String toString() {
            return "UserIdentity[type " + type + ", " + primaryField.length + "-byte primary field]";
        }
    }
}
