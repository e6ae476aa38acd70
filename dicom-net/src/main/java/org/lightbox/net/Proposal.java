// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import java.util.ArrayList;
import java.util.List;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.net.pdu.Pdu;
import org.lightbox.net.pdu.UserInformation;

/** What a requestor proposes: AE titles, presentation contexts (IDs given in order: 1, 3, 5, ...) and negotiations. */
public final class Proposal {
    private final String callingAeTitle;
    private final String calledAeTitle;
    private final List<Pdu.PresentationContextRq> contexts = new ArrayList<>();
    private final List<UserInformation.RoleSelection> roles = new ArrayList<>();
    private final List<UserInformation.ExtendedNegotiation> extended = new ArrayList<>();
    private final List<UserInformation.CommonExtendedNegotiation> common = new ArrayList<>();
    private UserInformation.AsyncOpsWindow asyncOps;
    private UserInformation.UserIdentity userIdentity;

    public Proposal(String callingAeTitle, String calledAeTitle) {
        this.callingAeTitle = AeTitles.check(callingAeTitle, "calling AE title");
        this.calledAeTitle = AeTitles.check(calledAeTitle, "called AE title");
    }

    /** Proposes one presentation context; at most 128 fit in an association. */
    public Proposal add(String abstractSyntax, List<String> transferSyntaxes) {
        if (contexts.size() == 128) {
            throw new IllegalStateException("an association has at most 128 presentation contexts");
        }
        contexts.add(new Pdu.PresentationContextRq(contexts.size() * 2 + 1, abstractSyntax, transferSyntaxes));
        return this;
    }

    public Proposal add(String abstractSyntax, String... transferSyntaxes) {
        return add(abstractSyntax, List.of(transferSyntaxes));
    }

    /** Whether an abstract syntax with this transfer syntax is already proposed. */
    public boolean proposes(String abstractSyntax, String transferSyntax) {
        return contexts.stream().anyMatch(c -> c.abstractSyntax().equals(abstractSyntax)
                && c.transferSyntaxes().contains(transferSyntax));
    }

    public int size() {
        return contexts.size();
    }

    public Proposal role(String sopClassUid, boolean scu, boolean scp) {
        roles.add(new UserInformation.RoleSelection(sopClassUid, scu, scp));
        return this;
    }

    public Proposal asyncOps(int invoked, int performed) {
        asyncOps = new UserInformation.AsyncOpsWindow(invoked, performed);
        return this;
    }

    public Proposal extendedNegotiation(String sopClassUid, byte[] info) {
        extended.add(new UserInformation.ExtendedNegotiation(sopClassUid, info.clone()));
        return this;
    }

    public Proposal commonExtendedNegotiation(String sopClassUid, String serviceClassUid, List<String> related) {
        common.add(new UserInformation.CommonExtendedNegotiation(sopClassUid, serviceClassUid, related));
        return this;
    }

    public Proposal userIdentity(UserInformation.UserIdentity identity) {
        userIdentity = identity;
        return this;
    }

    public String calledAeTitle() {
        return calledAeTitle;
    }

    public String callingAeTitle() {
        return callingAeTitle;
    }

    Pdu.AssociateRq toPdu(long maxPduLength) {
        if (contexts.isEmpty()) {
            throw new IllegalStateException("no presentation context proposed");
        }
        UserInformation info = UserInformation.of(maxPduLength, DicomWriter.IMPLEMENTATION_CLASS_UID,
                        DicomWriter.IMPLEMENTATION_VERSION_NAME)
                .withAsyncOps(asyncOps).withRoleSelections(roles).withExtendedNegotiations(extended)
                .withCommonExtendedNegotiations(common).withUserIdentity(userIdentity);
        return new Pdu.AssociateRq(1, calledAeTitle, callingAeTitle, Pdu.APPLICATION_CONTEXT, contexts, info);
    }
}
