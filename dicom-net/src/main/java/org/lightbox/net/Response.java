// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Vr;

/**
 * A DIMSE response: its command set and the data set that came with it ({@code null} when none). Services build
 * theirs from a status and optional extra command elements; the association adds the fields every response
 * carries (command field, message ID being responded to, SOP class and instance).
 */
public record Response(Command command, Dataset dataset) {

    public int status() {
        return command.status();
    }

    public static Response of(int status) {
        return new Response(new Command(Dataset.builder().setNumbers(Tag.Status, Vr.US, status).build()), null);
    }

    /** A status with an Error Comment (0000,0902), cut to the 64 characters LO allows. */
    public static Response of(int status, String errorComment) {
        String comment = errorComment.length() > 64 ? errorComment.substring(0, 64) : errorComment;
        return new Response(new Command(Dataset.builder().setNumbers(Tag.Status, Vr.US, status)
                .setStrings(Tag.ErrorComment, Vr.LO, comment).build()), null);
    }

    /** A status with extra command elements (sub-operation counts, offending element, ...) and a data set. */
    public static Response of(int status, Dataset.Builder commandElements, Dataset dataset) {
        return new Response(new Command(commandElements.setNumbers(Tag.Status, Vr.US, status).build()), dataset);
    }

    public Response withDataset(Dataset data) {
        return new Response(command, data);
    }

    /** The Error Comment, if the peer gave one. */
    public String errorComment() {
        return command.string(Tag.ErrorComment).orElse("");
    }

    /** "0x0000 (success)", with the error comment when there is one. */
    public String describe() {
        String comment = errorComment();
        return Status.describe(status()) + (comment.isEmpty() ? "" : ": " + comment);
    }
}
