// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;

/**
 * The WADO routes over an archive folder in a process of their own, for {@link LargeInstanceTest} to start with a
 * small heap: prints {@code PORT <n>}, serves until its standard input ends, then prints {@code PEAK <bytes>}, the
 * largest heap use seen.
 */
public final class SmallHeapServer {
    private SmallHeapServer() {}

    public static void main(String[] args) throws Exception {
        try (WadoServer server = new WadoServer(Path.of(args[0]))) {
            System.out.println("PORT " + server.http.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close our input
            }
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.println("PEAK " + peak);
            System.out.flush();
        }
    }
}
